import { IProblemSummary } from './request';

/**
 * How insistent the coach is (the server's `coach.helpfulness`).
 */
export type CoachLevel = 'gentle' | 'balanced' | 'insistent';

/**
 * The plugin settings that shape a new interview (schema/plugin.json).
 */
export interface IInterviewSettings {
  coachLevel: CoachLevel;
  minutes: number;
  voice: boolean;
  /** The session's `[llm] model`; '' = the server's settings.toml. */
  llmModel: string;
  /** The session's `[llm] api_base`; '' = the server's settings.toml. */
  llmApiBase: string;
}

export const DEFAULT_SETTINGS: IInterviewSettings = {
  coachLevel: 'balanced',
  minutes: 45,
  voice: false,
  llmModel: '',
  llmApiBase: ''
};

const COACH_LEVELS: ReadonlyArray<CoachLevel> = [
  'gentle',
  'balanced',
  'insistent'
];

// The server accepts 1-240 minutes (docs/api.md); the schema says so too,
// but a hand-edited settings file is not validated before it reaches us.
const MIN_MINUTES = 1;
const MAX_MINUTES = 240;

/**
 * Settings as read from the registry, with anything missing or out of range
 * replaced by its default.
 */
export function normaliseSettings(
  raw: Partial<Record<keyof IInterviewSettings, unknown>>
): IInterviewSettings {
  const coachLevel = COACH_LEVELS.includes(raw.coachLevel as CoachLevel)
    ? (raw.coachLevel as CoachLevel)
    : DEFAULT_SETTINGS.coachLevel;
  const minutes =
    typeof raw.minutes === 'number' && Number.isFinite(raw.minutes)
      ? Math.min(MAX_MINUTES, Math.max(MIN_MINUTES, Math.round(raw.minutes)))
      : DEFAULT_SETTINGS.minutes;
  const voice =
    typeof raw.voice === 'boolean' ? raw.voice : DEFAULT_SETTINGS.voice;
  const llmModel = oneLineText(raw.llmModel, MAX_MODEL_LENGTH);
  const llmApiBase = oneLineText(raw.llmApiBase, MAX_API_BASE_LENGTH);
  return { coachLevel, minutes, voice, llmModel, llmApiBase };
}

// The server refuses longer values (docs/api.md).
const MAX_MODEL_LENGTH = 200;
const MAX_API_BASE_LENGTH = 2000;

/**
 * A trimmed one-line string setting, or '' (its default) when it is not a
 * string, is too long, or holds a control character: a line break would end
 * the `%interview` line in the middle.
 */
function oneLineText(value: unknown, maxLength: number): string {
  if (typeof value !== 'string') {
    return '';
  }
  const text = value.trim();
  // A single quote changes how IPython expands `$` in the rest of the line
  // (magicArgument could not keep the value intact); no model name or URL
  // needs one (a URL writes it %27).
  // eslint-disable-next-line no-control-regex
  if (text.length > maxLength || /[\u0000-\u001f\u007f']/.test(text)) {
    console.warn(
      `mock-interviewer-lab: ignored a setting that is not one line of at most ${maxLength} characters without a single quote`
    );
    return '';
  }
  return text;
}

/**
 * One argument of a line magic, as `%interview` reads it back: in double
 * quotes with `"` and `\` escaped for its shlex.split, and with `{`, `}` and
 * a `$` before a name doubled so that IPython's variable expansion of magic
 * lines gives them back unchanged. `value` holds no single quote (see
 * oneLineText): one would change where IPython expands `$`.
 */
export function magicArgument(value: string): string {
  const quoted = /^[\w@%+=:,./-]+$/.test(value)
    ? value
    : `"${value.replace(/["\\]/g, '\\$&')}"`;
  return quoted.replace(/[{}]|\$(?=[\w.])/g, char => char + char);
}

/**
 * What the problem picker shows for a problem: "title (difficulty)".
 */
export function problemLabel(problem: IProblemSummary): string {
  return `${problem.title} (${problem.difficulty})`;
}

/**
 * The labels of the picker, one per problem, all distinct.
 *
 * Two packs may hold problems with the same title and difficulty; those
 * get their pack name appended so the picked label maps back to one problem.
 */
export function problemLabels(problems: IProblemSummary[]): string[] {
  const plain = problems.map(problemLabel);
  return plain.map((label, index) =>
    plain.indexOf(label) === plain.lastIndexOf(label)
      ? label
      : `${label} [${problems[index].pack}]`
  );
}

/**
 * The reference `%interview` is given: the bare id when no other pack has a
 * problem of that id, the `pack:id` form otherwise (a bare id that is in
 * several packs is refused by the registry).
 */
export function problemRef(
  problem: IProblemSummary,
  problems: IProblemSummary[]
): string {
  const sameId = problems.filter(other => other.id === problem.id);
  return sameId.length === 1 ? problem.id : problem.qualified_id;
}

/**
 * The sources of the two cells that start an interview in a fresh notebook.
 */
export function interviewCellSources(
  ref: string,
  settings: IInterviewSettings
): string[] {
  const args = [
    ref,
    '--coach',
    settings.coachLevel,
    '--minutes',
    String(settings.minutes)
  ];
  // Empty: the server's settings.toml [llm] decides (privacy.local_only
  // decides in any case). The `=` form keeps a value starting with `-` a value.
  if (settings.llmModel) {
    args.push(`--model=${magicArgument(settings.llmModel)}`);
  }
  if (settings.llmApiBase) {
    args.push(`--api-base=${magicArgument(settings.llmApiBase)}`);
  }
  return ['%load_ext mock_interviewer_lab', `%interview ${args.join(' ')}`];
}
