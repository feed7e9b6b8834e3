/**
 * The room: one interview docked beside its notebook — the problem, the
 * clock, the phase, hints, the conversation, the latest run's results, the
 * microphone and the message box — following the session's socket.
 *
 * Plain DOM in a Lumino widget (the package has no React), coloured only by
 * JupyterLab's theme variables (style/room.css). Every control is a native
 * element with a label, in reading order for Tab.
 */
import { IRenderMimeRegistry, renderMarkdown } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { IVoiceSwitch, VoiceControl } from '../voice/control';
import { API_PATH, RoomEvent } from './api';
import { BehavioralView, isBehavioral } from './behavioral';
import { message, RoomConnection } from './connection';
import { announceIn, confirmEnd, el, roomButton, tableWithHead } from './dom';
import {
  clockText,
  IAnnouncement,
  ILine,
  IResults,
  IRoomBundle,
  RoomModel,
  STEPPER_PHASES
} from './model';

/** What the room needs from the application. */
export interface IRoomOptions {
  bundle: IRoomBundle;
  serverSettings: ServerConnection.ISettings;
  rendermime: IRenderMimeRegistry | null;
  voiceSwitch: IVoiceSwitch;
  /** Runs the notebook's `%%solution` cell; resolves to a line to show. */
  runSolution: () => Promise<string>;
  /** Opens (or reveals) the report's tab. */
  openReport: () => void;
  /** Downloads the report. */
  exportReport: () => Promise<void>;
}

/** The DOM id of a session's room (and the prefix of its parts' ids). */
export function roomId(sessionId: string): string {
  return `mil-room-${sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The room posts `typing` at most this often, in ms. */
export const TYPING_EVERY_MS = 10000;

const SPEAKER_LABELS: Record<ILine['speaker'], string> = {
  coach: 'Coach',
  candidate: 'You',
  tests: 'Tests'
};

export class RoomWidget extends Widget {
  constructor(private readonly _options: IRoomOptions) {
    super();
    const bundle = _options.bundle;
    this.id = roomId(bundle.session_id);
    this.addClass('mil-room');
    this.node.dataset.testid = 'mil-room';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', `Interview room: ${bundle.title}`);
    this.title.label = `Interview: ${bundle.title || bundle.session_id}`;
    this.title.caption = `Mock interview ${bundle.session_id} — ${bundle.title}`;
    this.title.closable = true;
    this.model = new RoomModel(bundle);
    this._connection = new RoomConnection(this.model, _options.serverSettings);
    this._build();
    if (isBehavioral(bundle)) {
      // The behavioural view in place of the coding parts (behavioral.ts).
      this.addClass('mil-mod-behavioral');
      this._behavioral = new BehavioralView({
        model: this.model,
        serverSettings: _options.serverSettings,
        idPrefix: this.id
      });
      this._problem.before(this._behavioral.node);
    }
    this.model.changed.connect(this._draw, this);
    this.model.announced.connect(this._announce, this);
    this.model.reportReady.connect(() => this._options.openReport(), this);
    this._draw();
  }

  readonly model: RoomModel;

  get sessionId(): string {
    return this.model.bundle.session_id;
  }

  /** Emitted when the room is disposed (closed). */
  get disposedSignal(): ISignal<this, void> {
    return this._disposedSignal;
  }

  /** Load the session and follow its socket. */
  start(): void {
    void this._connection.start();
  }

  /** The message box (the Send command and Tab order start here). */
  get messageBox(): HTMLTextAreaElement {
    return this._behavioral?.answerBox ?? this._message;
  }

  /** Send the message box's text ('' does nothing but focus the box). */
  async send(): Promise<void> {
    if (this._behavioral) {
      return this._behavioral.submit(); // its answer box is the message box
    }
    const text = this._message.value.trim();
    this._message.focus();
    if (!text || this._busy) {
      return;
    }
    this._message.value = '';
    const sent = await this._post({ type: 'said', text });
    if (!sent) {
      this._message.value = text; // not lost
    }
    this._message.focus();
  }

  /**
   * The candidate is editing the notebook: a `typing` event, at most one
   * every TYPING_EVERY_MS, so the server's silence nudges wait while they
   * code. Nothing is shown, and a failure is not worth a line.
   */
  noteTyping(): void {
    const now = Date.now();
    if (this.model.ended || now - this._typedAt < TYPING_EVERY_MS) {
      return;
    }
    this._typedAt = now;
    this._connection.post({ type: 'typing' }).catch(() => undefined);
  }

  async hint(): Promise<void> {
    if (this._behavioral) {
      return; // no hints in a behavioural interview
    }
    await this._post({ type: 'hint' });
    this._message.focus();
  }

  async runSolution(): Promise<void> {
    if (this._behavioral) {
      return; // no solution to run in a behavioural interview
    }
    this.model.setNotice('');
    try {
      const line = await this._options.runSolution();
      this.model.setNotice(line);
    } catch (error) {
      this.model.setNotice(`Could not run the solution: ${message(error)}`);
    }
  }

  async end(): Promise<void> {
    if (
      await confirmEnd(
        'The coach wraps up (it may ask about complexity first), then your report opens in a tab of its own.'
      )
    ) {
      await this._post({ type: 'end', reason: 'candidate' });
    }
    this._message.focus();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this._timer);
    this._connection.dispose();
    this._voice?.dispose();
    this._behavioral?.dispose();
    this._voice = null;
    this._unfollowSwitch?.();
    this._disposedSignal.emit();
    Signal.clearData(this.model);
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    if (!this.node.contains(document.activeElement)) {
      (this._behavioral?.answerBox ?? this._message).focus();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._keepNewestInView(true);
  }

  // -------------------------------------------------------------- actions

  private async _post(event: RoomEvent): Promise<boolean> {
    this._busy = true;
    this._drawButtons();
    try {
      await this._connection.post(event);
      return true;
    } catch (error) {
      this.model.setNotice(message(error));
      return false;
    } finally {
      this._busy = false;
      this._drawButtons();
    }
  }

  private async _export(): Promise<void> {
    try {
      await this._options.exportReport();
    } catch (error) {
      this.model.setNotice(
        `The report could not be exported: ${message(error)}`
      );
    }
  }

  // ---------------------------------------------------------------- build

  private _build(): void {
    const id = this.id;
    const root = this.node;

    // Header: title, clock, phases.
    const header = el('div', 'mil-room-header');
    const titleRow = el('div', 'mil-room-title-row');
    this._title = el('h2', 'mil-room-title');
    this._title.id = `${id}-title`;
    this._difficulty = el('span', 'mil-room-difficulty');
    titleRow.append(this._title, this._difficulty);

    this._clock = el('div', 'mil-room-clock');
    this._clock.dataset.testid = 'mil-room-clock';
    this._clock.setAttribute('role', 'timer');
    this._clock.setAttribute('aria-label', 'Time left');
    this._clockTime = el('span', 'mil-room-clock-time');
    this._clockLabel = el('span', 'mil-room-clock-label');
    this._clockWords = el('span', 'mil-room-clock-words');
    this._clockWords.dataset.testid = 'mil-room-clock-words';
    this._phaseLeft = el('span', 'mil-room-phase-left');
    this._clock.append(
      this._clockTime,
      this._clockLabel,
      this._clockWords,
      this._phaseLeft
    );

    this._phases = el('ol', 'mil-room-phases');
    this._phases.setAttribute('aria-label', 'Interview phases');
    this._phases.dataset.testid = 'mil-room-phases';
    this._connectionNode = el('div', 'mil-room-connection');
    this._connectionNode.setAttribute('role', 'status');
    titleRow.append(this._clock);
    header.append(titleRow, this._phases, this._connectionNode);

    // Body: problem, hints, conversation, results.
    const body = el('div', 'mil-room-body');

    this._problem = document.createElement('details');
    this._problem.className = 'mil-room-problem';
    this._problem.open = true;
    this._problem.dataset.testid = 'mil-room-problem';
    this._problem.setAttribute('aria-label', 'Problem');
    // A heading in the summary: the problem's Examples and Constraints
    // (h4) sit under an h3, as Hints and Conversation do.
    const summary = el('summary');
    const problemTitle = el('h3', 'mil-room-section-title');
    problemTitle.textContent = 'Problem';
    summary.append(problemTitle);
    this._problemBody = el('div', 'mil-room-problem-body');
    this._problem.append(summary, this._problemBody);

    this._hints = el('section', 'mil-room-hints');
    this._hints.dataset.testid = 'mil-room-hints';
    this._hints.setAttribute('aria-labelledby', `${id}-hints-title`);
    const hintsTitle = el('h3', 'mil-room-section-title');
    hintsTitle.id = `${id}-hints-title`;
    hintsTitle.textContent = 'Hints';
    this._hintLabel = el('span', 'mil-room-hint-label');
    hintsTitle.append(' ', this._hintLabel);
    this._hintList = el('ol', 'mil-room-hint-list');
    this._hints.append(hintsTitle, this._hintList);

    const conversation = el('section', 'mil-room-conversation');
    conversation.setAttribute('aria-labelledby', `${id}-log-title`);
    const logTitle = el('h3', 'mil-room-section-title');
    logTitle.id = `${id}-log-title`;
    logTitle.textContent = 'Conversation';
    this._log = el('div', 'mil-room-log');
    this._log.dataset.testid = 'mil-room-log';
    // A log, read on demand: new coach lines are announced once, by the
    // live region below (the candidate's own lines are not read back).
    this._log.setAttribute('role', 'log');
    this._log.setAttribute('aria-live', 'off');
    this._log.setAttribute('aria-labelledby', `${id}-log-title`);
    this._log.tabIndex = 0;
    this._live = el('div', 'mil-room-line mil-room-line-coach mil-mod-live');
    conversation.append(logTitle, this._log);

    this._results = el('section', 'mil-room-results');
    this._results.dataset.testid = 'mil-room-results';
    this._results.setAttribute('role', 'region');
    this._results.setAttribute('aria-labelledby', `${id}-results-title`);
    this._results.tabIndex = 0;
    const resultsTitle = el('h3', 'mil-room-section-title');
    resultsTitle.id = `${id}-results-title`;
    resultsTitle.textContent = 'Latest run';
    this._resultsBody = el('div', 'mil-room-results-body');
    this._results.append(resultsTitle, this._resultsBody);

    body.append(this._problem, this._hints, conversation, this._results);

    // Composer: message box, buttons, voice, notice.
    const composer = el('div', 'mil-room-composer');
    const label = document.createElement('label');
    label.className = 'mil-room-message-label mil-sr-only';
    label.htmlFor = `${id}-message`;
    label.textContent = 'Message to the interviewer';
    this._message = document.createElement('textarea');
    this._message.id = `${id}-message`;
    this._message.className = 'mil-room-message jp-mod-styled';
    this._message.dataset.testid = 'mil-room-message';
    this._message.rows = 2;
    this._message.placeholder =
      'Type here. Enter sends, Shift+Enter starts a new line.';
    this._message.setAttribute('aria-describedby', `${id}-message-help`);
    const help = el('span', 'mil-sr-only');
    help.id = `${id}-message-help`;
    help.textContent =
      'Enter sends the message; Shift+Enter starts a new line.';
    this._message.addEventListener('keydown', this._onMessageKeydown);

    const buttons = el('div', 'mil-room-buttons');
    this._sendButton = roomButton(
      'Send',
      'mil-room-send',
      'mil-mod-primary',
      () => this.send()
    );
    this._hintButton = roomButton(
      'Hint',
      'mil-room-hint',
      '',
      () => this.hint(),
      'Ask for the next hint'
    );
    this._runButton = roomButton(
      'Run my solution',
      'mil-room-run',
      '',
      () => this.runSolution(),
      "Run the notebook's %%solution cell: your code runs against the tests"
    );
    this._endButton = roomButton(
      'End',
      'mil-room-end',
      '',
      () => this.end(),
      'End the interview'
    );
    this._exportButton = roomButton(
      'Export',
      'mil-room-export',
      '',
      () => this._export(),
      'Download the report as an HTML page'
    );
    this._reportButton = roomButton(
      'Open the report',
      'mil-room-report',
      '',
      async () => this._options.openReport()
    );
    buttons.append(
      this._sendButton,
      this._hintButton,
      this._runButton,
      this._endButton,
      this._exportButton,
      this._reportButton
    );

    const voiceNode = el('div', 'mil-room-voice');
    voiceNode.dataset.testid = 'mil-room-voice';
    voiceNode.setAttribute('role', 'group');
    voiceNode.setAttribute('aria-label', 'Voice');
    this._voiceNode = voiceNode;

    this._notice = el('div', 'mil-room-notice');
    this._notice.dataset.testid = 'mil-room-notice';
    this._notice.setAttribute('role', 'status');

    composer.append(
      label,
      this._message,
      help,
      buttons,
      voiceNode,
      this._notice
    );

    // What a screen reader hears without moving: coach lines, clock warnings.
    this._coachAnnouncer = el('div', 'mil-sr-only');
    this._coachAnnouncer.setAttribute('aria-live', 'polite');
    this._coachAnnouncer.dataset.testid = 'mil-room-announcer';
    this._clockAnnouncer = el('div', 'mil-sr-only');
    this._clockAnnouncer.setAttribute('aria-live', 'polite');
    this._clockAnnouncer.dataset.testid = 'mil-room-clock-announcer';

    root.append(
      header,
      body,
      composer,
      this._coachAnnouncer,
      this._clockAnnouncer
    );

    if (this._options.bundle.voice) {
      this._voice = new VoiceControl(
        voiceNode,
        {
          sessionId: () => this.sessionId,
          apiPath: () => API_PATH,
          enabled: () => !this.model.ended,
          voiceSwitch: this._options.voiceSwitch,
          serverSettings: this._options.serverSettings,
          changed: () => this._drawVoice()
        },
        this._options.bundle.noise_threshold ?? undefined
      );
      this._unfollowSwitch = this._options.voiceSwitch.onChange(() =>
        this._drawVoice()
      );
    }
    this._drawVoice();

    this._timer = window.setInterval(() => {
      this.model.tick();
      this._drawClock();
    }, 1000);
  }

  // Enter sends, Shift+Enter is a new line; nothing typed here is a
  // notebook command (the room is not inside the notebook, and the keys
  // stop here).
  private readonly _onMessageKeydown = (event: KeyboardEvent): void => {
    if (
      event.key === 'Enter' &&
      !event.shiftKey &&
      !event.altKey &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.isComposing
    ) {
      event.preventDefault();
      void this.send();
    }
    event.stopPropagation();
  };

  // ----------------------------------------------------------------- draw

  private _draw(): void {
    const model = this.model;
    const problem = model.problem;
    const title = problem?.title || model.bundle.title || model.bundle.problem;
    this._title.textContent = problem?.followUp ? `Follow-up: ${title}` : title;
    this._difficulty.textContent = problem?.difficulty ?? '';
    this._difficulty.hidden = !problem?.difficulty;
    this._drawProblem();
    this._drawPhases();
    this._drawClock();
    this._drawHints();
    this._drawLog();
    this._drawResults();
    this._drawButtons();
    this._drawVoice();
    this._drawNotice();
    const lost = model.connection === 'lost';
    this._connectionNode.textContent = lost
      ? 'Connection lost: reconnecting…'
      : '';
    this._connectionNode.hidden = !lost;
  }

  private _drawProblem(): void {
    const problem = this.model.problem;
    if (problem === this._drawnProblem) {
      return;
    }
    this._drawnProblem = problem;
    const host = this._problemBody;
    host.textContent = '';
    if (!problem) {
      host.textContent = 'Loading the problem…';
      return;
    }
    const statement = el('div', 'mil-room-statement');
    host.append(statement);
    this._renderStatement(statement, problem.statement);
    if (problem.examples.length) {
      host.append(heading('Examples'));
      const list = el('ul', 'mil-room-examples');
      for (const example of problem.examples) {
        const item = el('li');
        item.append(
          code(example.input),
          document.createTextNode(' → '),
          code(example.output)
        );
        if (example.explanation) {
          item.append(document.createTextNode(` — ${example.explanation}`));
        }
        list.append(item);
      }
      host.append(list);
    }
    if (problem.constraints.length) {
      host.append(heading('Constraints'));
      const list = el('ul', 'mil-room-constraints');
      for (const constraint of problem.constraints) {
        const item = el('li');
        item.append(code(constraint));
        list.append(item);
      }
      host.append(list);
    }
    if (problem.followUp) {
      const note = el('p', 'mil-room-followup-note');
      note.textContent =
        'Write it in a new %%solution cell (%interview stub gives you one).';
      host.append(note);
    }
  }

  // The statement is a pack's Markdown: JupyterLab's renderer with its
  // sanitizer (untrusted: no script, no style), as text when there is none.
  private _renderStatement(host: HTMLElement, source: string): void {
    const rendermime = this._options.rendermime;
    if (!rendermime) {
      host.classList.add('mil-mod-plain');
      host.textContent = source;
      return;
    }
    renderMarkdown({
      host,
      source,
      trusted: false,
      sanitizer: rendermime.sanitizer,
      resolver: null,
      linkHandler: null,
      latexTypesetter: rendermime.latexTypesetter,
      markdownParser: rendermime.markdownParser,
      shouldTypeset: true
    }).catch(() => {
      host.classList.add('mil-mod-plain');
      host.textContent = source;
    });
  }

  private _drawPhases(): void {
    const current = this.model.phase;
    const phases = STEPPER_PHASES.includes(current)
      ? STEPPER_PHASES
      : [...STEPPER_PHASES.slice(0, -1), current, 'done'].filter(Boolean);
    const key = `${phases.join(',')}|${current}`;
    if (key === this._drawnPhases) {
      return;
    }
    this._drawnPhases = key;
    this._phases.textContent = '';
    const index = phases.indexOf(current);
    phases.forEach((phase, position) => {
      const item = el('li', 'mil-room-phase');
      item.textContent = phase;
      if (phase === current) {
        item.classList.add('mil-mod-current');
        item.setAttribute('aria-current', 'step');
      } else if (position < index) {
        item.classList.add('mil-mod-past');
      }
      this._phases.append(item);
    });
    this._phases.dataset.phase = current;
  }

  private _drawClock(): void {
    const reading = this.model.clock();
    this._clock.dataset.level = reading.level;
    this._clockTime.textContent =
      reading.level === 'ended' && reading.left === null
        ? '--:--'
        : clockText(reading.left);
    this._clockLabel.textContent = reading.level === 'ended' ? '' : 'left';
    this._clockWords.textContent = reading.words;
    this._clockWords.hidden = reading.words === '';
    this._phaseLeft.textContent =
      reading.phaseLeft === null || !this.model.phase
        ? ''
        : `${this.model.phase}: ${clockText(reading.phaseLeft)} of this phase`;
  }

  private _drawHints(): void {
    const model = this.model;
    this._hintLabel.textContent =
      model.hintLabel || `(${model.hintLevel} of ${model.hintOf} used)`;
    if (this._drawnHints === model.hintsVersion) {
      return;
    }
    this._drawnHints = model.hintsVersion;
    this._hintList.textContent = '';
    for (const hint of model.hints) {
      const item = el('li', 'mil-room-hint-text');
      item.value = hint.level;
      item.textContent = hint.text;
      this._hintList.append(item);
    }
  }

  private _drawLog(): void {
    const model = this.model;
    if (model.linesVersion !== this._drawnLinesVersion) {
      const stick = this._atBottom();
      this._drawnLinesVersion = model.linesVersion;
      // Lines are only added, but a snapshot (a reconnect) replaces them all.
      if (model.snapshots !== this._drawnSnapshots) {
        this._drawnSnapshots = model.snapshots;
        this._log.textContent = '';
        this._drawnLines = 0;
      }
      this._live.remove();
      for (const line of model.lines.slice(this._drawnLines)) {
        this._log.append(lineNode(line));
      }
      this._drawnLines = model.lines.length;
      this._keepNewestInView(stick);
    }
    const liveText = model.live.join(' ');
    if (liveText) {
      this._live.textContent = '';
      this._live.append(speakerNode('coach'), textNode(` ${liveText} …`));
      this._log.append(this._live); // always the last line
      this._keepNewestInView(true);
    } else {
      this._live.remove();
    }
    this._log.classList.toggle('mil-mod-empty', this._drawnLines === 0);
  }

  private _atBottom(): boolean {
    const log = this._log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  }

  // The newest line in view, unless the candidate scrolled up to read.
  private _keepNewestInView(stick: boolean): void {
    if (stick) {
      this._log.scrollTop = this._log.scrollHeight;
    }
  }

  private _drawResults(): void {
    const model = this.model;
    if (model.results === this._drawnResults) {
      return;
    }
    this._drawnResults = model.results;
    this._resultsBody.textContent = '';
    this._resultsBody.append(resultsNode(model.results));
  }

  private _drawButtons(): void {
    const ended = this.model.ended;
    for (const button of [
      this._sendButton,
      this._hintButton,
      this._runButton,
      this._endButton
    ]) {
      button.disabled = ended || this._busy;
    }
    this._message.disabled = ended;
    this._message.placeholder = ended
      ? 'The interview has ended.'
      : 'Type here. Enter sends, Shift+Enter starts a new line.';
    this._reportButton.hidden = !ended;
  }

  private _drawVoice(): void {
    const shown = this._voice !== null && this._voice.visible;
    this._voiceNode.hidden = !shown;
    this._voice?.draw();
  }

  // The notice (role status: said politely); a behavioural scorer's
  // fallback is marked as one (data-testid mil-bq-fallback). Redrawn only
  // when it changes, so the status is not said again on every tick.
  private _drawNotice(): void {
    const model = this.model;
    const text = model.testsRunning ? 'Running the tests…' : model.notice;
    const kind = model.testsRunning ? '' : model.noticeKind;
    if (text === this._drawnNotice && kind === this._drawnNoticeKind) {
      return;
    }
    this._drawnNotice = text;
    this._drawnNoticeKind = kind;
    if (kind === 'scorer_fallback') {
      const mark = el('span', 'mil-room-notice-fallback');
      mark.dataset.testid = 'mil-bq-fallback';
      mark.textContent = text;
      this._notice.replaceChildren(mark);
    } else {
      this._notice.textContent = text;
    }
  }

  private _announce(_sender: RoomModel, announcement: IAnnouncement): void {
    const region =
      announcement.kind === 'clock'
        ? this._clockAnnouncer
        : this._coachAnnouncer;
    announceIn(region, announcement.text);
  }

  private _connection: RoomConnection;
  private _voice: VoiceControl | null = null;
  private _behavioral: BehavioralView | null = null;
  private _unfollowSwitch: (() => void) | null = null;
  private _busy = false;
  private _typedAt = -Infinity;
  private _timer = 0;
  private _drawnProblem: unknown = undefined;
  private _drawnPhases = '';
  private _drawnNotice: string | null = null;
  private _drawnNoticeKind = '';
  private _drawnHints = -1;
  private _drawnLines = 0;
  private _drawnLinesVersion = -1;
  private _drawnSnapshots = -1;
  private _drawnResults: IResults | null | undefined = undefined;
  private _disposedSignal = new Signal<this, void>(this);
  private _title!: HTMLElement;
  private _difficulty!: HTMLElement;
  private _clock!: HTMLElement;
  private _clockTime!: HTMLElement;
  private _clockLabel!: HTMLElement;
  private _clockWords!: HTMLElement;
  private _phaseLeft!: HTMLElement;
  private _phases!: HTMLElement;
  private _connectionNode!: HTMLElement;
  private _problem!: HTMLDetailsElement;
  private _problemBody!: HTMLElement;
  private _hints!: HTMLElement;
  private _hintLabel!: HTMLElement;
  private _hintList!: HTMLOListElement;
  private _log!: HTMLElement;
  private _live!: HTMLElement;
  private _results!: HTMLElement;
  private _resultsBody!: HTMLElement;
  private _message!: HTMLTextAreaElement;
  private _sendButton!: HTMLButtonElement;
  private _hintButton!: HTMLButtonElement;
  private _runButton!: HTMLButtonElement;
  private _endButton!: HTMLButtonElement;
  private _exportButton!: HTMLButtonElement;
  private _reportButton!: HTMLButtonElement;
  private _voiceNode!: HTMLElement;
  private _notice!: HTMLElement;
  private _coachAnnouncer!: HTMLElement;
  private _clockAnnouncer!: HTMLElement;
}

// ------------------------------------------------------------------ parts

function textNode(text: string): Text {
  return document.createTextNode(text);
}

function code(text: string): HTMLElement {
  const node = el('code');
  node.textContent = text;
  return node;
}

function heading(text: string): HTMLElement {
  const node = el('h4', 'mil-room-subtitle');
  node.textContent = text;
  return node;
}

function speakerNode(speaker: ILine['speaker']): HTMLElement {
  const node = el('span', 'mil-room-speaker');
  node.textContent = `${SPEAKER_LABELS[speaker]}:`;
  return node;
}

function lineNode(line: ILine): HTMLElement {
  const node = el('div', `mil-room-line mil-room-line-${line.speaker}`);
  node.dataset.speaker = line.speaker;
  if (line.seq !== null) {
    node.dataset.seq = String(line.seq);
  }
  const time = el('span', 'mil-room-time');
  time.textContent = line.t === null ? '' : clockUp(line.t);
  const text = el('span', 'mil-room-text');
  text.textContent = line.text;
  node.append(time, speakerNode(line.speaker), textNode(' '), text);
  return node;
}

// A moment of the session, counted up: 04:05.
function clockUp(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

function resultsNode(results: IResults | null): HTMLElement {
  const node = el('div');
  if (!results) {
    const empty = el('p', 'mil-room-empty');
    empty.textContent = 'No run yet.';
    node.append(empty);
    return node;
  }
  const summary = el('p', 'mil-room-results-summary');
  const allPassed = results.total > 0 && results.passed === results.total;
  summary.classList.add(allPassed ? 'mil-mod-passed' : 'mil-mod-failed');
  summary.textContent = `${results.passed} of ${results.total} tests passed`;
  node.append(summary);
  if (results.error) {
    const error = el('p', 'mil-room-results-error');
    error.textContent = results.error;
    node.append(error);
  }
  if (results.cases.length) {
    const caption = el('caption', 'mil-sr-only');
    caption.textContent = 'Visible test cases';
    const { table, body } = tableWithHead('mil-room-results-table', caption, [
      'Case',
      'Arguments',
      'Expected',
      'Got',
      'Status'
    ]);
    for (const c of results.cases) {
      const row = el('tr');
      row.dataset.status = c.status;
      const name = el('td');
      name.textContent = c.name;
      const status = el('td', `mil-room-status mil-mod-${c.status}`);
      const mark = el('span', 'mil-room-status-mark');
      mark.setAttribute('aria-hidden', 'true');
      mark.textContent = c.status === 'passed' ? '✓' : '✗';
      status.append(mark, textNode(` ${c.status}`));
      if (c.message) {
        const note = el('div', 'mil-room-status-message');
        note.textContent = c.message;
        status.append(note);
      }
      row.append(
        name,
        cellWith(code(c.args)),
        cellWith(code(c.expected)),
        cellWith(code(c.got)),
        status
      );
      body.append(row);
    }
    node.append(table);
  }
  if (results.hiddenTotal) {
    const hidden = el('p', 'mil-room-results-hidden');
    hidden.textContent = `${results.hiddenPassed} of ${results.hiddenTotal} hidden tests passed`;
    node.append(hidden);
  }
  return node;
}

function cellWith(child: HTMLElement): HTMLTableCellElement {
  const cell = el('td');
  cell.append(child);
  return cell;
}
