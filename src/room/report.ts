/**
 * The report in a tab of its own: the server's HTML report (GET
 * `sessions/{id}/report?format=html`) in a sandboxed frame — its styles and
 * inline SVG charts render, no script runs, and nothing in it can reach
 * JupyterLab (no same origin).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

export class ReportView extends Widget {
  constructor(html: string, title: string) {
    super();
    this.addClass('mil-report-view');
    const frame = document.createElement('iframe');
    frame.className = 'mil-report-frame';
    frame.dataset.testid = 'mil-report-frame';
    // Empty: scripts, forms, popups, same origin and top navigation all off.
    frame.setAttribute('sandbox', '');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.title = title;
    frame.srcdoc = html;
    this.node.appendChild(frame);
  }
}

/** The DOM id of a session's report tab. */
export function reportId(sessionId: string): string {
  return `mil-report-${sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function reportWidget(
  sessionId: string,
  problemTitle: string,
  html: string
): MainAreaWidget<ReportView> {
  const label = `Report: ${problemTitle || sessionId}`;
  const widget = new MainAreaWidget({
    content: new ReportView(html, `Interview report: ${problemTitle}`)
  });
  widget.id = reportId(sessionId);
  widget.addClass('mil-report');
  widget.node.dataset.testid = 'mil-report';
  widget.title.label = label;
  widget.title.caption = `The report of interview ${sessionId}`;
  widget.title.closable = true;
  return widget;
}

/**
 * Save `html` as a file the browser downloads.
 */
export function downloadHtml(html: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}
