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
}

export const DEFAULT_SETTINGS: IInterviewSettings = {
  coachLevel: 'balanced',
  minutes: 45,
  voice: false
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
  return { coachLevel, minutes, voice };
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
  return [
    '%load_ext mock_interviewer_lab',
    `%interview ${ref} --coach ${settings.coachLevel} --minutes ${settings.minutes}`
  ];
}
