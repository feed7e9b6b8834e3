/**
 * The "New mock interview" picker: each problem with its title, difficulty
 * and a line of its statement, then the interview's length and the coach.
 *
 * A dialog body of native controls (radio buttons, a number field, a
 * select): arrow keys move through the problems, Tab to the next field,
 * Enter starts.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { CoachLevel, IInterviewSettings, problemLabels } from './interview';
import { IProblemSummary } from './request';
import { fetchProblem } from './room/api';

export interface IPick {
  problem: IProblemSummary;
  coachLevel: CoachLevel;
  minutes: number;
}

const DIFFICULTY_ORDER = ['easy', 'medium', 'hard'];

const COACHES: ReadonlyArray<[CoachLevel, string]> = [
  ['gentle', 'Gentle: hints come early, few pushes'],
  ['balanced', 'Balanced: hints when you are stuck'],
  ['insistent', 'Insistent: asks for more, hints late']
];

/**
 * The problems in the picker's order: easy first, then by title.
 */
export function pickerOrder(problems: IProblemSummary[]): IProblemSummary[] {
  const rank = (difficulty: string): number => {
    const index = DIFFICULTY_ORDER.indexOf(difficulty);
    return index < 0 ? DIFFICULTY_ORDER.length : index;
  };
  return [...problems].sort(
    (a, b) =>
      rank(a.difficulty) - rank(b.difficulty) ||
      a.title.localeCompare(b.title) ||
      a.qualified_id.localeCompare(b.qualified_id)
  );
}

/**
 * The first sentence of a Markdown statement, as plain text of at most
 * `limit` characters.
 */
export function descriptionLine(statement: string, limit = 140): string {
  const paragraph = statement.trim().split(/\n\s*\n/)[0] ?? '';
  const plain = paragraph
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/[`*_#>]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = plain.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? plain;
  return sentence.length > limit
    ? `${sentence.slice(0, limit - 1).replace(/\s+$/, '')}…`
    : sentence;
}

class PickerBody extends Widget implements Dialog.IBodyWidget<IPick | null> {
  constructor(
    private readonly _problems: IProblemSummary[],
    settings: IInterviewSettings,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('mil-picker');
    this.node.dataset.testid = 'mil-picker';

    const problemSet = document.createElement('fieldset');
    problemSet.className = 'mil-picker-problems';
    const legend = document.createElement('legend');
    legend.textContent = trans.__('Problem');
    problemSet.append(legend);
    const list = document.createElement('div');
    list.className = 'mil-picker-list';
    const labels = problemLabels(_problems);
    _problems.forEach((problem, index) => {
      const id = `mil-picker-problem-${index}`;
      const option = document.createElement('label');
      option.className = 'mil-picker-option';
      option.htmlFor = id;
      option.dataset.problem = problem.qualified_id;
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'mil-picker-problem';
      radio.id = id;
      radio.value = String(index);
      radio.checked = index === 0;
      radio.setAttribute('aria-describedby', `${id}-description`);
      this._radios.push(radio);
      const text = document.createElement('span');
      text.className = 'mil-picker-text';
      const title = document.createElement('span');
      title.className = 'mil-picker-title';
      // The label without "(difficulty)": that has a badge of its own.
      title.textContent = labels[index].replace(` (${problem.difficulty})`, '');
      const difficulty = document.createElement('span');
      difficulty.className = `mil-picker-difficulty mil-mod-${problem.difficulty}`;
      difficulty.textContent = problem.difficulty;
      const description = document.createElement('span');
      description.className = 'mil-picker-description';
      description.id = `${id}-description`;
      description.textContent = `${problem.visible_cases} visible and ${problem.hidden_cases} hidden tests`;
      this._descriptions.push(description);
      text.append(title, ' ', difficulty, description);
      option.append(radio, text);
      list.append(option);
    });
    problemSet.append(list);

    const settingsRow = document.createElement('div');
    settingsRow.className = 'mil-picker-settings';
    this._minutes = document.createElement('input');
    this._minutes.type = 'number';
    this._minutes.min = '1';
    this._minutes.max = '240';
    this._minutes.step = '1';
    this._minutes.value = String(settings.minutes);
    this._minutes.className = 'jp-mod-styled';
    this._minutes.id = 'mil-picker-minutes';
    this._coach = document.createElement('select');
    this._coach.className = 'jp-mod-styled';
    this._coach.id = 'mil-picker-coach';
    for (const [level, text] of COACHES) {
      const option = document.createElement('option');
      option.value = level;
      option.textContent = trans.__(text);
      option.selected = level === settings.coachLevel;
      this._coach.append(option);
    }
    settingsRow.append(
      field(trans.__('Minutes'), this._minutes),
      field(trans.__('Coach'), this._coach)
    );
    this.node.append(problemSet, settingsRow);
  }

  /** Fill in each problem's description line as its statement arrives. */
  loadDescriptions(settings: ServerConnection.ISettings): void {
    this._problems.forEach((problem, index) => {
      fetchProblem(settings, problem.qualified_id)
        .then(view => {
          const line = descriptionLine(String(view.statement ?? ''));
          if (line) {
            this._descriptions[index].textContent = line;
          }
        })
        .catch(() => undefined); // the test counts stay
    });
  }

  getValue(): IPick | null {
    const checked = this._radios.find(radio => radio.checked);
    if (!checked) {
      return null;
    }
    const minutes = Math.round(Number(this._minutes.value));
    return {
      problem: this._problems[Number(checked.value)],
      coachLevel: this._coach.value as CoachLevel,
      minutes: Number.isFinite(minutes)
        ? Math.min(240, Math.max(1, minutes))
        : 45
    };
  }

  private _radios: HTMLInputElement[] = [];
  private _descriptions: HTMLElement[] = [];
  private _minutes: HTMLInputElement;
  private _coach: HTMLSelectElement;
}

function field(label: string, control: HTMLElement): HTMLElement {
  const wrapper = document.createElement('div');
  wrapper.className = 'mil-picker-field';
  const node = document.createElement('label');
  node.htmlFor = control.id;
  node.textContent = label;
  wrapper.append(node, control);
  return wrapper;
}

/**
 * Ask which problem, how long and which coach; undefined when cancelled.
 */
export async function pickInterview(
  problems: IProblemSummary[],
  settings: IInterviewSettings,
  serverSettings: ServerConnection.ISettings,
  trans: TranslationBundle
): Promise<IPick | undefined> {
  const body = new PickerBody(pickerOrder(problems), settings, trans);
  body.loadDescriptions(serverSettings);
  const result = await showDialog({
    title: trans.__('New mock interview'),
    body,
    buttons: [
      Dialog.cancelButton(),
      Dialog.okButton({ label: trans.__('Start') })
    ],
    focusNodeSelector: 'input[type="radio"]:checked'
  });
  if (!result.button.accept || !result.value) {
    return undefined;
  }
  return result.value;
}
