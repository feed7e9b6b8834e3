import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  showDialog
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import {
  INotebookModel,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import {
  DEFAULT_SETTINGS,
  IInterviewSettings,
  interviewCellSources,
  normaliseSettings,
  problemLabels,
  problemRef
} from './interview';
import {
  fetchProblems,
  IProblemSummary,
  ServerExtensionError
} from './request';
import { countdownWidgetExports } from './countdown';
import { MODULE_NAME, MODULE_VERSION } from './voice/version';
import { IVoiceSwitch, voiceWidgetExports } from './voice/widget';

const PLUGIN_ID = 'mock-interviewer-lab:plugin';
const COMMAND_NEW = 'mock-interviewer:new';
const CATEGORY = 'Mock Interviewer';

const interviewIcon = new LabIcon({
  name: 'mock-interviewer-lab:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' +
    '<path class="jp-icon3" fill="#616161" d="M4 3h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-4 4v-4H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm3 5v2h2V8H7zm4 0v2h2V8h-2zm4 0v2h2V8h-2z"/>' +
    '</svg>'
});

/**
 * The launcher card and command palette entry that start a mock interview
 * in a new notebook.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Start a mock coding interview in a new notebook from the launcher or the command palette.',
  autoStart: true,
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ILauncher,
    ITranslator,
    IJupyterWidgetRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    translator: ITranslator | null,
    widgetRegistry: IJupyterWidgetRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('mock_interviewer_lab');
    const settings = trackSettings(settingRegistry);

    app.commands.addCommand(COMMAND_NEW, {
      label: trans.__('New mock interview'),
      caption: trans.__(
        'Pick a problem and start a mock interview in a new notebook'
      ),
      icon: args => (args['isPalette'] ? undefined : interviewIcon),
      execute: () => startInterview(app, settings.current, trans)
    });
    palette?.addItem({ command: COMMAND_NEW, category: trans.__(CATEGORY) });
    launcher?.add({
      command: COMMAND_NEW,
      category: trans.__(CATEGORY),
      rank: 1
    });

    // The voice widget and the countdown of the interview panel: without the
    // ipywidgets manager there is no panel to put them in, and the launcher
    // still works.
    widgetRegistry?.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: {
        ...voiceWidgetExports(voiceSwitch(settings)),
        // The panel's countdown ticks here, not in the kernel.
        ...countdownWidgetExports
      }
    });
  }
};

/**
 * The `voice` setting as the voice widget follows it.
 */
function voiceSwitch(settings: ISettingsHolder): IVoiceSwitch {
  return {
    isOn: () => settings.current.voice,
    onChange: listener => {
      settings.listeners.add(listener);
      return () => settings.listeners.delete(listener);
    }
  };
}

interface ISettingsHolder {
  current: IInterviewSettings;
  listeners: Set<() => void>;
}

/**
 * The plugin settings, kept current as the user edits them.
 */
function trackSettings(registry: ISettingRegistry | null): ISettingsHolder {
  const holder: ISettingsHolder = {
    current: DEFAULT_SETTINGS,
    listeners: new Set()
  };
  if (!registry) {
    return holder;
  }
  registry
    .load(PLUGIN_ID)
    .then(loaded => {
      const update = () => {
        holder.current = normaliseSettings(loaded.composite);
        holder.listeners.forEach(listener => listener());
      };
      update();
      loaded.changed.connect(update);
    })
    .catch(reason => {
      console.error(`${PLUGIN_ID}: could not load the settings`, reason);
    });
  return holder;
}

async function startInterview(
  app: JupyterFrontEnd,
  settings: IInterviewSettings,
  trans: TranslationBundle
): Promise<NotebookPanel | undefined> {
  let problems: IProblemSummary[];
  try {
    problems = await fetchProblems(app.serviceManager.serverSettings);
  } catch (error) {
    await showServerError(error, trans);
    return undefined;
  }
  if (problems.length === 0) {
    await showDialog({
      title: trans.__('No problems'),
      body: trans.__(
        'The Mock Interviewer server has no problems to offer: add a problem pack and try again.'
      ),
      buttons: [Dialog.okButton()]
    });
    return undefined;
  }
  const problem = await pickProblem(problems, trans);
  if (!problem) {
    return undefined;
  }
  const panel = await createNotebook(app);
  await panel.context.ready;
  const sources = interviewCellSources(problemRef(problem, problems), settings);
  replaceBlankCellsWith(panel, sources);
  await panel.sessionContext.ready;
  await NotebookActions.runAll(panel.content, panel.sessionContext);
  ensureBlankCellAtEnd(panel);
  return panel;
}

async function pickProblem(
  problems: IProblemSummary[],
  trans: TranslationBundle
): Promise<IProblemSummary | undefined> {
  const labels = problemLabels(problems);
  const choice = await InputDialog.getItem({
    title: trans.__('New mock interview'),
    label: trans.__('Problem'),
    items: labels,
    current: 0,
    okLabel: trans.__('Start')
  });
  if (!choice.button.accept || choice.value === null) {
    return undefined;
  }
  const index = labels.indexOf(choice.value);
  return index >= 0 ? problems[index] : undefined;
}

// notebook:create-new opens the notebook in the file browser's folder; it is
// given the default kernel so no kernel picker interrupts the start.
async function createNotebook(app: JupyterFrontEnd): Promise<NotebookPanel> {
  const kernelspecs = app.serviceManager.kernelspecs;
  await kernelspecs.ready;
  const kernelName = kernelspecs.specs?.default;
  return (await app.commands.execute('notebook:create-new', {
    kernelName
  })) as NotebookPanel;
}

// A fresh notebook holds one blank cell; the interview cells replace it so
// that runAll runs only them.
function replaceBlankCellsWith(panel: NotebookPanel, sources: string[]): void {
  const shared = notebookModel(panel).sharedModel;
  shared.transact(() => {
    shared.insertCells(
      0,
      sources.map(source => ({ cell_type: 'code', source, metadata: {} }))
    );
    for (
      let index = shared.cells.length - 1;
      index >= sources.length;
      index--
    ) {
      if (shared.cells[index].getSource().trim() === '') {
        shared.deleteCell(index);
      }
    }
  });
}

// The candidate writes the solution in the cell below the interview's.
function ensureBlankCellAtEnd(panel: NotebookPanel): void {
  const shared = notebookModel(panel).sharedModel;
  const last = shared.cells[shared.cells.length - 1];
  if (!last || last.getSource().trim() !== '') {
    shared.insertCell(shared.cells.length, {
      cell_type: 'code',
      source: '',
      metadata: {}
    });
  }
  panel.content.activeCellIndex = shared.cells.length - 1;
}

function notebookModel(panel: NotebookPanel): INotebookModel {
  const model = panel.content.model;
  if (!model) {
    throw new Error('the new notebook has no model');
  }
  return model;
}

async function showServerError(
  error: unknown,
  trans: TranslationBundle
): Promise<void> {
  const detail =
    error instanceof ServerExtensionError
      ? error.message
      : String(error ?? 'unknown error');
  const notEnabled =
    error instanceof ServerExtensionError &&
    (error.status === null || error.status === 404);
  const advice = notEnabled
    ? trans.__(
        'Is the server extension enabled? `jupyter server extension list` should show mock_interviewer_lab.server as enabled; `jupyter server extension enable mock_interviewer_lab.server` enables it, then restart JupyterLab.'
      )
    : trans.__('See the JupyterLab server log for details.');
  await showDialog({
    title: trans.__('Mock Interviewer server did not answer'),
    body: paragraphs([
      trans.__('Could not get the problem list: %1', detail),
      advice
    ]),
    buttons: [Dialog.okButton()]
  });
}

// A dialog body of separate paragraphs (a plain string body loses its line
// breaks).
function paragraphs(texts: string[]): Widget {
  const node = document.createElement('div');
  for (const text of texts) {
    const paragraph = document.createElement('p');
    paragraph.textContent = text;
    node.appendChild(paragraph);
  }
  return new Widget({ node });
}

export default plugin;
