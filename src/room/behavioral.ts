/**
 * The room's second view: a behavioural interview (bundle kind
 * `behavioral`, seed 002). Stage and level, "Question 3 of 5" /
 * "Follow-up 2 of 3", the question, a multi-line answer box with Submit,
 * Next question / Skip follow-up / End, the brief feedback after each
 * answer, each question's feedback card, the session summary and the
 * history's trend.
 *
 * The room (widget.ts) stays the same room: its header, clock,
 * conversation, microphone and report buttons serve both kinds; for this
 * one it hides its coding parts (problem, hints, tests, Run my solution,
 * the message box: style/room.css) and shows this view. What is shown comes
 * from the session's actions (payloads.py: question_asked, follow_up_asked,
 * answer_scored, question_feedback, session_feedback, request_refused,
 * difficulty_changed, scorer_fallback) as the RoomModel passes them on, a
 * reload's snapshot included; each score says its scorer (`by`) and a
 * spoken answer's delivery; the candidate's answers, next, skip and end go through the
 * server's `behavioral/` operations (docs/api.md).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../request';
import { message } from './connection';
import { announceIn, confirmEnd, el, roomButton, tableWithHead } from './dom';
import { IActionSeen, IRoomBundle, RoomModel } from './model';

export const BEHAVIORAL_KIND = 'behavioral';

/** Whether a room bundle is a behavioural interview's. */
export function isBehavioral(bundle: IRoomBundle): boolean {
  return bundle.kind === BEHAVIORAL_KIND;
}

// -------------------------------------------------------------------- api

/** What every `behavioral/` operation answers beside its own fields. */
export interface IBehavioralAnswer {
  actions?: unknown[];
  state?: Record<string, unknown>;
}

/** One session of `GET behavioral/history` (newest first). */
export interface IHistorySession {
  session_id: string;
  interview_stage: string;
  started_at: string | null;
  overall_score: number | null;
  readiness: string | null;
  questions_completed: number;
}

export interface IHistory {
  sessions: IHistorySession[];
  improvement_trend: {
    first_session_score: number;
    latest_session_score: number;
    improvement: string;
  } | null;
}

type Operation = 'responses' | 'next' | 'skip' | 'end';

/** POST `behavioral/sessions/{id}/{operation}`. */
export function postBehavioral(
  settings: ServerConnection.ISettings,
  sessionId: string,
  operation: Operation,
  body: Record<string, unknown> | null = null
): Promise<IBehavioralAnswer> {
  const path = URLExt.join(
    'behavioral',
    'sessions',
    encodeURIComponent(sessionId),
    operation
  );
  return requestAPI<IBehavioralAnswer>(path, settings, {
    method: 'POST',
    ...(body ? { body: JSON.stringify(body) } : {})
  });
}

export function fetchHistory(
  settings: ServerConnection.ISettings
): Promise<IHistory> {
  return requestAPI<IHistory>('behavioral/history', settings);
}

// ------------------------------------------------------------------ state

export interface IQuestion {
  number: number;
  total: number;
  competency: string;
  difficulty: string;
  text: string;
}

export interface IFollowUp {
  questionNumber: number;
  number: number;
  of: number;
  text: string;
}

export interface IEvidence {
  part: string;
  sentence: string;
}

export interface IRubricPart {
  dimension: string;
  points: number;
  outOf: number;
  why: string;
}

/** An answer_scored. */
export interface IScored {
  questionNumber: number;
  responseNumber: number;
  score: number;
  level: string;
  star: Record<string, boolean>;
  evidence: IEvidence[];
  rubric: IRubricPart[];
  gaps: string[];
  strengths: string[];
  brief: string;
  /** The scorer that scored it: 'scripted' or the model's name ('' when not said). */
  by: string;
  /** How the answer was said, for an answer that came by voice. */
  delivery: IDelivery | null;
  /** The scorer_fallback's words when the offline scorer stood in for a model ('' when not). */
  fallback: string;
}

/** An answer_scored's `delivery` (payloads.py's AnswerDelivery). */
export interface IDelivery {
  wordsPerMinute: number | null;
  fillers: number;
  pauses: number;
  answerSeconds: number;
  guideSeconds: number;
  overGuide: boolean;
  /** Seconds in each STAR part, the parts in the order said. */
  starSeconds: Array<[string, number]>;
}

/** A question_feedback with the last scoring of its replies. */
export interface ICard {
  questionNumber: number;
  question: string;
  competency: string;
  score: number;
  level: string;
  assessment: string;
  landed: string[];
  didntLand: string[];
  coaching: string;
  revised: string;
  /** Who wrote the feedback: 'scripted' or the model's name ('' when not said). */
  by: string;
  /** The scorer_fallback's words when the offline feedback stood in for a model's ('' when not). */
  fallback: string;
  scored: IScored | null;
}

export interface ISummary {
  overall: number;
  readiness: string;
  assessment: string;
  strengths: string[];
  areas: string[];
  priorities: string[];
  nextSteps: string;
  completed: number;
}

/** The STAR parts in order, with the words the room shows for them. */
export const STAR_PARTS: ReadonlyArray<[string, string]> = [
  ['situation', 'Situation'],
  ['task', 'Task'],
  ['action', 'Action'],
  ['result', 'Result'],
  ['reflection', 'Reflection']
];

/**
 * What the view shows, built from the session's actions (no DOM).
 * `apply` answers what to announce ('' for nothing): the figures only,
 * since the interviewer's words (the question, the follow-up, the brief
 * feedback) are coach lines the room announces already.
 */
export class BehavioralState {
  question: IQuestion | null = null;
  followUp: IFollowUp | null = null;
  brief: IScored | null = null;
  cards: ICard[] = [];
  summary: ISummary | null = null;
  /** The latest difficulty change, in words ('' when none). */
  difficultyNote = '';
  /** Counts changes (the view redraws what changed). */
  version = 0;

  reset(): void {
    this.question = null;
    this.followUp = null;
    this.brief = null;
    this.cards = [];
    this.summary = null;
    this.difficultyNote = '';
    this._scored.clear();
    this._fallback = null;
    this.version += 1;
  }

  apply(action: Record<string, unknown>): string {
    const data = record(action.data);
    switch (action.type) {
      case 'question_asked': {
        this.question = {
          number: num(data.number),
          total: num(data.total) || 5,
          competency: str(data.competency),
          difficulty: str(data.difficulty),
          text: str(data.text)
        };
        this.followUp = null;
        this.version += 1;
        return `Question ${this.question.number} of ${this.question.total}`;
      }
      case 'follow_up_asked': {
        this.followUp = {
          questionNumber: num(data.question_number),
          number: num(data.number),
          of: num(data.of) || 3,
          text: str(data.text)
        };
        this.version += 1;
        return `Follow-up ${this.followUp.number} of ${this.followUp.of}`;
      }
      case 'scorer_fallback': {
        // Said by the room's notice; kept for the result it stands for.
        this._fallback = {
          step: str(data.step),
          questionNumber: num(data.question_number),
          message: str(data.message)
        };
        return '';
      }
      case 'answer_scored': {
        const scored = scoredOf(data, this._fellBack('score', data));
        this._scored.set(scored.questionNumber, scored);
        this.brief = scored;
        // The follow-up is answered; another may come.
        this.followUp = null;
        this.version += 1;
        return `Scored ${scored.score} out of 10, level ${scored.level}`;
      }
      case 'question_feedback': {
        const card = cardOf(
          data,
          this._scored,
          this._fellBack('question_feedback', data)
        );
        this.cards = [
          ...this.cards.filter(c => c.questionNumber !== card.questionNumber),
          card
        ];
        this.followUp = null;
        this.version += 1;
        return `Feedback on question ${card.questionNumber}: ${card.score} out of 10, level ${card.level}.`;
      }
      case 'session_feedback': {
        this.summary = {
          overall: Number(data.overall_score) || 0,
          readiness: str(data.readiness),
          assessment: str(data.overall_assessment),
          strengths: strs(data.key_strengths),
          areas: strs(data.areas_to_improve),
          priorities: strs(data.coaching_priorities),
          nextSteps: str(data.next_steps),
          completed: num(data.questions_completed)
        };
        this.followUp = null;
        this.version += 1;
        return `Session summary: ${this.summary.overall.toFixed(1)} out of 10, ${this.summary.readiness}.`;
      }
      case 'difficulty_changed': {
        this.difficultyNote = `Difficulty ${str(data.from)} → ${str(data.to)} (${str(data.reason)})`;
        this.version += 1;
        return this.difficultyNote;
      }
      default:
        return '';
    }
  }

  /** The words of the scorer_fallback just before this step's result ('' when none). */
  private _fellBack(step: string, data: Record<string, unknown>): string {
    const fell = this._fallback;
    this._fallback = null;
    return fell &&
      fell.step === step &&
      fell.questionNumber === num(data.question_number)
      ? fell.message
      : '';
  }

  private _scored = new Map<number, IScored>();
  private _fallback: {
    step: string;
    questionNumber: number;
    message: string;
  } | null = null;
}

function scoredOf(data: Record<string, unknown>, fallback = ''): IScored {
  const star = record(data.star);
  return {
    questionNumber: num(data.question_number),
    responseNumber: num(data.response_number),
    score: num(data.score),
    level: str(data.level),
    star: STAR_PARTS.reduce<Record<string, boolean>>((parts, [key]) => {
      parts[key] = !!star[key];
      return parts;
    }, {}),
    evidence: list(data.evidence).map(item => {
      const e = record(item);
      return { part: str(e.part), sentence: str(e.sentence) };
    }),
    rubric: list(data.rubric).map(item => {
      const r = record(item);
      return {
        dimension: str(r.dimension),
        points: num(r.points),
        outOf: num(r.out_of),
        why: str(r.why)
      };
    }),
    gaps: strs(data.gaps),
    strengths: strs(data.strengths),
    brief: str(data.brief_feedback),
    by: str(data.by),
    delivery: deliveryOf(data.delivery),
    fallback
  };
}

function deliveryOf(value: unknown): IDelivery | null {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const d = record(value);
  const wpm = Number(d.words_per_minute);
  return {
    wordsPerMinute:
      d.words_per_minute === null || !Number.isFinite(wpm) ? null : wpm,
    fillers: num(d.fillers),
    pauses: num(d.pauses),
    answerSeconds: num(d.answer_seconds),
    guideSeconds: num(d.guide_seconds) || 120,
    overGuide: !!d.over_guide,
    starSeconds: Object.entries(record(d.star_seconds)).map(
      ([part, seconds]): [string, number] => [part, num(seconds)]
    )
  };
}

/** Which scorer: 'scripted' → 'scored offline', else 'scored by' the model ('' when not said). */
export function scorerText(by: string): string {
  return !by ? '' : by === 'scripted' ? 'scored offline' : `scored by ${by}`;
}

/** Seconds as '1 min 05 s' or '45 s'. */
export function secondsText(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60
    ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
    : `${s} s`;
}

/** A spoken answer's delivery in one line of words. */
export function deliveryText(d: IDelivery): string {
  const pace =
    d.wordsPerMinute === null
      ? 'pace unknown'
      : `${Math.round(d.wordsPerMinute)} words a minute`;
  const guideName =
    d.guideSeconds === 120 ? 'two-minute' : secondsText(d.guideSeconds);
  const guide = `${d.overGuide ? 'over' : 'within'} the ${guideName} guide`;
  return [
    pace,
    `${d.fillers} filler${d.fillers === 1 ? '' : 's'}`,
    `${d.pauses} pause${d.pauses === 1 ? '' : 's'}`,
    `${secondsText(d.answerSeconds)} long, ${guide}`
  ].join(' · ');
}

function cardOf(
  data: Record<string, unknown>,
  scored: Map<number, IScored>,
  fallback = ''
): ICard {
  const number = num(data.question_number);
  return {
    questionNumber: number,
    question: str(data.question),
    competency: str(data.competency),
    score: num(data.score),
    level: str(data.level),
    assessment: str(data.overall_assessment),
    landed: strs(data.what_landed),
    didntLand: strs(data.what_didnt_land),
    coaching: str(data.coaching),
    revised: str(data.revised_answer),
    by: str(data.by),
    fallback,
    scored: scored.get(number) ?? null
  };
}

/**
 * A revised answer in pieces: its `[placeholders]` (what the candidate did
 * not say) apart from their own words.
 */
export function placeholderPieces(
  text: string
): Array<{ text: string; placeholder: boolean }> {
  return text
    .split(/(\[[^\]]+\])/)
    .filter(piece => piece !== '')
    .map(piece => ({ text: piece, placeholder: /^\[[^\]]+\]$/.test(piece) }));
}

/** The stage's name in words: hiring_manager → Hiring manager. */
export function stageText(stage: string): string {
  const words = stage.replace(/_/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/**
 * The history's scores oldest first (sessions with a score only), for the
 * chart and its text.
 */
export function trendOf(history: IHistory | null): IHistorySession[] {
  const sessions = history?.sessions ?? [];
  return sessions
    .filter(s => typeof s.overall_score === 'number')
    .slice()
    .reverse();
}

/** The chart's words: what a screen reader reads instead of the lines. */
export function trendText(history: IHistory | null): string {
  const points = trendOf(history);
  if (!points.length) {
    return 'No scored behavioural session yet.';
  }
  const scores = points.map(p => (p.overall_score as number).toFixed(1));
  const trend = history?.improvement_trend;
  const change =
    trend && points.length > 1
      ? ` First ${trend.first_session_score.toFixed(1)}, latest ${trend.latest_session_score.toFixed(1)} (${trend.improvement}).`
      : '';
  return `Overall scores of ${points.length} session${points.length === 1 ? '' : 's'}, oldest first: ${scores.join(', ')} out of 10.${change}`;
}

// ------------------------------------------------------------------- view

export interface IBehavioralOptions {
  model: RoomModel;
  serverSettings: ServerConnection.ISettings;
  /** The room's id (the prefix of this view's element ids). */
  idPrefix: string;
}

/** The chart's size in SVG units. */
const CHART_W = 240;
const CHART_H = 80;
const CHART_PAD = 8;

export class BehavioralView {
  constructor(private readonly _options: IBehavioralOptions) {
    this.node = this._build();
    const model = _options.model;
    model.actionSeen.connect(this._onAction, this);
    model.changed.connect(this.draw, this);
    this.draw();
    void this._loadHistory();
  }

  readonly node: HTMLElement;

  /** The answer box (the room's focus goes here). */
  get answerBox(): HTMLTextAreaElement {
    return this._answer;
  }

  dispose(): void {
    this._options.model.actionSeen.disconnect(this._onAction, this);
    this._options.model.changed.disconnect(this.draw, this);
  }

  /** Send the answer box's text ('' only focuses the box). */
  async submit(): Promise<void> {
    const text = this._answer.value.trim();
    this._answer.focus();
    if (!text || this._busy || this._options.model.ended) {
      return;
    }
    this._answer.value = '';
    if (!(await this._post('responses', { text }, 'Scoring your answer…'))) {
      this._answer.value = text; // not lost
    }
    this._answer.focus();
  }

  async next(): Promise<void> {
    await this._post('next', null, 'Moving to the next question…');
  }

  async skip(): Promise<void> {
    await this._post('skip', null, 'Skipping the follow-up…');
  }

  async end(): Promise<void> {
    if (
      await confirmEnd(
        'The questions not answered are left out; you get the session summary and your report opens in a tab of its own.'
      )
    ) {
      await this._post('end', { reason: 'candidate' }, 'Ending…');
    }
  }

  draw(): void {
    const model = this._options.model;
    const state = this._state;
    const setup = model.bundle.setup ?? {};
    const parts = [
      stageText(str(setup.stage)),
      setup.level ? `target level ${str(setup.level)}` : '',
      str(setup.difficulty)
    ].filter(Boolean);
    this._setup.textContent = parts.join(' · ');
    this._setup.hidden = !parts.length;

    const q = state.question;
    const f = state.followUp;
    this._progressQuestion.textContent = q
      ? `Question ${q.number} of ${q.total}`
      : model.ended
        ? 'No question'
        : 'Waiting for the first question…';
    this._progressFollowUp.textContent = f
      ? `Follow-up ${f.number} of ${f.of}`
      : '';
    this._progressFollowUp.hidden = !f;
    this._competency.textContent = q
      ? [q.competency.replace(/_/g, ' '), q.difficulty]
          .filter(Boolean)
          .join(' · ')
      : '';
    this._questionText.textContent = q?.text ?? '';
    this._followUpText.textContent = f?.text ?? '';
    this._followUpBlock.hidden = !f;
    this._difficultyNote.textContent = state.difficultyNote;
    this._difficultyNote.hidden = !state.difficultyNote;

    const ended = model.ended;
    const busy = this._busy;
    this._answer.disabled = ended;
    this._answer.placeholder = ended
      ? 'The interview has ended.'
      : f
        ? 'Answer the follow-up. Ctrl+Enter (⌘+Enter) submits.'
        : 'Your answer, in your own words. Ctrl+Enter (⌘+Enter) submits.';
    this._submit.disabled = ended || busy || !q;
    this._submit.textContent = busy && this._working ? 'Scoring…' : 'Submit';
    this._next.disabled = ended || busy || !q || q.number >= q.total;
    this._skip.disabled = ended || busy || !f;
    this._end.disabled = ended || busy;
    this._status.textContent = busy ? this._working : '';
    this.node.setAttribute('aria-busy', busy ? 'true' : 'false');

    if (this._drawn !== state.version) {
      this._drawn = state.version;
      this._drawBrief();
      this._drawCards();
      this._drawSummary();
    }
  }

  // -------------------------------------------------------------- actions

  private async _post(
    operation: Operation,
    body: Record<string, unknown> | null,
    working: string
  ): Promise<boolean> {
    const model = this._options.model;
    this._busy = true;
    this._working = working;
    model.setNotice('');
    this.draw();
    try {
      const answer = await postBehavioral(
        this._options.serverSettings,
        model.bundle.session_id,
        operation,
        body
      );
      for (const action of answer.actions ?? []) {
        model.applyAction(action);
      }
      if (answer.state) {
        model.setState(answer.state);
      }
      return true;
    } catch (error) {
      model.setNotice(message(error));
      return false;
    } finally {
      this._busy = false;
      this._working = '';
      this.draw();
    }
  }

  private _onAction(_sender: RoomModel, seen: IActionSeen | null): void {
    const model = this._options.model;
    if (seen === null) {
      this._state.reset();
      this._fallbackCause = undefined;
      return;
    }
    const said = this._state.apply(seen.action);
    if (seen.action.type === 'request_refused') {
      const reason = str(record(seen.action.data).reason);
      model.setNotice(reason);
    }
    if (seen.action.type === 'scorer_fallback') {
      // The room's notice (role status: said politely), marked as a fallback.
      // A reload's snapshot shows it too while its event's results are the
      // latest, as the room did live until the candidate's next request.
      const words = str(record(seen.action.data).message);
      this._fallbackCause = seen.action.cause;
      model.setNotice(words, 'scorer_fallback');
    } else if (
      seen.replayed &&
      model.noticeKind === 'scorer_fallback' &&
      seen.action.cause !== this._fallbackCause
    ) {
      model.setNotice('');
    }
    if (said && !seen.replayed) {
      this._announce(said);
    }
    if (seen.action.type === 'session_feedback' && !seen.replayed) {
      void this._loadHistory();
    }
    this.draw();
  }

  private _announce(text: string): void {
    announceIn(this._live, text);
  }

  private async _loadHistory(): Promise<void> {
    try {
      this._history = await fetchHistory(this._options.serverSettings);
      this._historyError = '';
    } catch (error) {
      this._historyError = `The history could not be loaded: ${message(error)}`;
    }
    this._drawHistory();
  }

  // Ctrl/Cmd+Enter submits; Enter is a new line. No key typed here
  // reaches the notebook's shortcuts.
  private readonly _onKeydown = (event: KeyboardEvent): void => {
    if (
      event.key === 'Enter' &&
      (event.ctrlKey || event.metaKey) &&
      !event.isComposing
    ) {
      event.preventDefault();
      void this.submit();
    }
    event.stopPropagation();
  };

  // ---------------------------------------------------------------- build

  private _build(): HTMLElement {
    const id = `${this._options.idPrefix}-bq`;
    const root = el('section', 'mil-bq');
    root.dataset.testid = 'mil-bq';
    root.setAttribute('aria-label', 'Behavioural interview');

    this._setup = el('p', 'mil-bq-setup');
    this._setup.dataset.testid = 'mil-bq-setup';

    const progress = el('p', 'mil-bq-progress');
    progress.dataset.testid = 'mil-bq-progress';
    this._progressQuestion = el('span', 'mil-bq-progress-question');
    this._progressFollowUp = el('span', 'mil-bq-progress-follow-up');
    this._competency = el('span', 'mil-bq-competency');
    progress.append(
      this._progressQuestion,
      this._progressFollowUp,
      this._competency
    );

    const question = el('div', 'mil-bq-question');
    question.dataset.testid = 'mil-bq-question';
    this._questionText = el('p', 'mil-bq-question-text');
    this._questionText.id = `${id}-question`;
    this._followUpBlock = el('div', 'mil-bq-follow-up');
    const followUpLabel = el('span', 'mil-bq-label');
    followUpLabel.textContent = 'Follow-up: ';
    this._followUpText = el('span', 'mil-bq-follow-up-text');
    this._followUpBlock.append(followUpLabel, this._followUpText);
    this._difficultyNote = el('p', 'mil-bq-difficulty-note');
    question.append(
      this._questionText,
      this._followUpBlock,
      this._difficultyNote
    );

    const form = el('div', 'mil-bq-form');
    const label = el('label', 'mil-bq-answer-label');
    label.htmlFor = `${id}-answer`;
    label.textContent = 'Your answer';
    this._answer = el('textarea', 'mil-bq-answer jp-mod-styled');
    this._answer.id = `${id}-answer`;
    this._answer.dataset.testid = 'mil-bq-answer';
    this._answer.rows = 6;
    this._answer.setAttribute(
      'aria-describedby',
      `${id}-question ${id}-answer-help`
    );
    this._answer.addEventListener('keydown', this._onKeydown);
    const help = el('span', 'mil-bq-help');
    help.id = `${id}-answer-help`;
    help.textContent =
      'Enter starts a new line; Ctrl+Enter (⌘+Enter on a Mac) or Submit sends your answer.';

    const buttons = el('div', 'mil-room-buttons mil-bq-buttons');
    this._submit = roomButton(
      'Submit',
      'mil-bq-submit',
      'mil-mod-primary',
      () => this.submit()
    );
    this._submit.setAttribute('aria-label', 'Submit your answer');
    this._next = roomButton('Next question', 'mil-bq-next', '', () =>
      this.next()
    );
    this._skip = roomButton('Skip follow-up', 'mil-bq-skip', '', () =>
      this.skip()
    );
    this._end = roomButton('End', 'mil-bq-end', '', () => this.end());
    this._end.setAttribute('aria-label', 'End the interview');
    buttons.append(this._submit, this._next, this._skip, this._end);
    this._status = el('span', 'mil-bq-status');
    this._status.setAttribute('role', 'status');
    form.append(label, this._answer, help, buttons, this._status);

    this._brief = el('section', 'mil-bq-brief');
    this._brief.dataset.testid = 'mil-bq-brief';
    this._brief.setAttribute('aria-labelledby', `${id}-brief-title`);
    this._briefTitleId = `${id}-brief-title`;

    this._cards = el('section', 'mil-bq-cards');
    this._cards.setAttribute('aria-label', 'Feedback on each question');

    this._summary = el('section', 'mil-bq-summary');
    this._summary.dataset.testid = 'mil-bq-summary';
    this._summary.setAttribute('aria-labelledby', `${id}-summary-title`);
    this._summaryTitleId = `${id}-summary-title`;

    this._historyNode = el('section', 'mil-bq-history');
    this._historyNode.dataset.testid = 'mil-bq-history';
    this._historyNode.setAttribute('aria-labelledby', `${id}-history-title`);
    this._historyTitleId = `${id}-history-title`;

    this._live = el('div', 'mil-sr-only');
    this._live.setAttribute('aria-live', 'polite');
    this._live.dataset.testid = 'mil-bq-announcer';

    // The summary (hidden until the end) first: what the candidate sees
    // when the interview is over.
    root.append(
      this._setup,
      this._summary,
      progress,
      question,
      form,
      this._brief,
      this._cards,
      this._historyNode,
      this._live
    );
    return root;
  }

  // ----------------------------------------------------------------- draw

  private _drawBrief(): void {
    const brief = this._state.brief;
    const host = this._brief;
    host.textContent = '';
    host.hidden = !brief;
    if (!brief) {
      return;
    }
    const title = el('h3', 'mil-room-section-title');
    title.id = this._briefTitleId;
    title.textContent =
      brief.responseNumber > 1
        ? `Your reply to follow-up ${brief.responseNumber - 1} of question ${brief.questionNumber}`
        : `Your answer to question ${brief.questionNumber}`;
    const score = el('p', 'mil-bq-score');
    score.textContent = `${brief.score}/10 · level ${brief.level}`;
    addScorer(score, brief.by, brief.fallback);
    const text = el('p', 'mil-bq-brief-text');
    text.textContent = brief.brief;
    host.append(title, score, text);
    if (brief.delivery) {
      host.append(deliveryBlock(brief.delivery));
    }
  }

  private _drawCards(): void {
    const host = this._cards;
    host.textContent = '';
    const cards = [...this._state.cards].reverse(); // newest first
    host.hidden = !cards.length;
    cards.forEach((card, index) => host.append(cardNode(card, index === 0)));
  }

  private _drawSummary(): void {
    const summary = this._state.summary;
    const host = this._summary;
    host.textContent = '';
    host.hidden = !summary;
    if (!summary) {
      return;
    }
    const title = el('h3', 'mil-room-section-title');
    title.id = this._summaryTitleId;
    title.textContent = 'Session summary';
    const overall = el('p', 'mil-bq-overall');
    overall.dataset.readiness = summary.readiness;
    const total = this._state.question?.total ?? 5;
    overall.textContent = `Overall ${summary.overall.toFixed(1)}/10 · ${summary.readiness} · ${summary.completed} of ${total} questions answered`;
    host.append(title, overall);
    if (summary.assessment) {
      host.append(paragraph(summary.assessment));
    }
    host.append(
      listBlock('Key strengths', summary.strengths, 'ul'),
      listBlock('Areas to improve', summary.areas, 'ul'),
      listBlock(
        'Coaching priorities (most important first)',
        summary.priorities,
        'ol'
      )
    );
    if (summary.nextSteps) {
      host.append(subtitle('Next steps'), paragraph(summary.nextSteps));
    }
  }

  private _drawHistory(): void {
    const host = this._historyNode;
    host.textContent = '';
    const title = el('h3', 'mil-room-section-title');
    title.id = this._historyTitleId;
    title.textContent = 'Your behavioural sessions';
    host.append(title);
    if (this._historyError) {
      host.append(paragraph(this._historyError));
      return;
    }
    const points = trendOf(this._history);
    const words = paragraph(trendText(this._history));
    words.className = 'mil-bq-history-text';
    words.id = `${this._historyTitleId}-text`;
    if (points.length) {
      host.append(trendChart(points, words.id));
    }
    host.append(words);
  }

  private _state = new BehavioralState();
  /** The cause (event seq) of the scorer_fallback the notice shows. */
  private _fallbackCause: unknown = undefined;
  private _history: IHistory | null = null;
  private _historyError = '';
  private _busy = false;
  private _working = '';
  private _drawn = -1;
  private _briefTitleId = '';
  private _summaryTitleId = '';
  private _historyTitleId = '';
  private _setup!: HTMLElement;
  private _progressQuestion!: HTMLElement;
  private _progressFollowUp!: HTMLElement;
  private _competency!: HTMLElement;
  private _questionText!: HTMLElement;
  private _followUpBlock!: HTMLElement;
  private _followUpText!: HTMLElement;
  private _difficultyNote!: HTMLElement;
  private _answer!: HTMLTextAreaElement;
  private _submit!: HTMLButtonElement;
  private _next!: HTMLButtonElement;
  private _skip!: HTMLButtonElement;
  private _end!: HTMLButtonElement;
  private _status!: HTMLElement;
  private _brief!: HTMLElement;
  private _cards!: HTMLElement;
  private _summary!: HTMLElement;
  private _historyNode!: HTMLElement;
  private _live!: HTMLElement;
}

// ------------------------------------------------------------------ parts

function cardNode(card: ICard, open: boolean): HTMLElement {
  const node = document.createElement('details');
  node.className = 'mil-bq-card';
  node.dataset.testid = 'mil-bq-card';
  node.dataset.question = String(card.questionNumber);
  node.open = open;
  const summary = el('summary', 'mil-room-section-title');
  summary.textContent = `Question ${card.questionNumber} — ${card.score}/10 · level ${card.level}`;
  node.append(summary);

  const score = el('p', 'mil-bq-score');
  score.dataset.testid = 'mil-bq-card-score';
  score.textContent = `Score ${card.score}/10 · level demonstrated ${card.level}`;
  const scored = card.scored;
  addScorer(score, scored?.by || card.by, card.fallback);
  const question = el('p', 'mil-bq-card-question');
  question.textContent = card.question;
  node.append(score, question);
  if (card.assessment) {
    node.append(paragraph(card.assessment));
  }
  if (scored?.delivery) {
    node.append(deliveryBlock(scored.delivery));
  }
  if (scored && scored.rubric.length) {
    node.append(rubricTable(scored.rubric));
  }
  if (scored) {
    node.append(starBlock(scored));
  }
  node.append(
    listBlock('What landed', card.landed, 'ul'),
    listBlock("What didn't land", card.didntLand, 'ul')
  );
  if (card.coaching) {
    node.append(subtitle('Coaching'), paragraph(card.coaching));
  }
  if (card.revised) {
    node.append(subtitle('A better version of your answer'));
    const revised = el('p', 'mil-bq-revised');
    for (const piece of placeholderPieces(card.revised)) {
      if (piece.placeholder) {
        const mark = el('mark', 'mil-bq-placeholder');
        mark.title = 'Something you did not say: fill it in';
        mark.textContent = piece.text;
        revised.append(mark);
      } else {
        revised.append(document.createTextNode(piece.text));
      }
    }
    const note = el('p', 'mil-bq-help');
    note.textContent =
      'Built only from your own words; the parts in brackets are what you did not say.';
    node.append(revised, note);
  }
  return node;
}

/**
 * ' · scored offline' (or the model's name) after a score, when said; when
 * the offline scorer stood in for a model, '(the model was not used)' too,
 * with the scorer_fallback's words as its title.
 */
function addScorer(score: HTMLElement, by: string, fallback = ''): void {
  const words = scorerText(by);
  if (!words) {
    return;
  }
  const mark = el('span', 'mil-bq-by');
  mark.dataset.testid = 'mil-bq-by';
  mark.dataset.by = by;
  mark.textContent = words;
  score.append(document.createTextNode(' · '), mark);
  if (fallback) {
    const note = el('span', 'mil-bq-by-fallback');
    note.dataset.testid = 'mil-bq-by-fallback';
    note.title = fallback;
    note.textContent = '(the model was not used)';
    score.append(document.createTextNode(' '), note);
  }
}

/** A spoken answer's delivery: pace, fillers, pauses, length, STAR times. */
function deliveryBlock(delivery: IDelivery): HTMLElement {
  const node = el('div', 'mil-bq-delivery');
  node.dataset.testid = 'mil-bq-delivery';
  node.append(
    subtitle('Delivery (spoken answer)'),
    paragraph(deliveryText(delivery))
  );
  if (delivery.starSeconds.length) {
    const label = el('p', 'mil-bq-delivery-label');
    label.textContent = 'Time in each STAR part, in the order said:';
    label.id = `mil-bq-star-time-${++deliveryIds}`;
    const list = el('ul', 'mil-bq-star-seconds');
    list.setAttribute('aria-labelledby', label.id);
    for (const [part, seconds] of delivery.starSeconds) {
      const li = el('li');
      const name =
        STAR_PARTS.find(([key]) => key === part)?.[1] ??
        (part === 'other' ? 'Not labelled' : part);
      li.textContent = `${name}: ${secondsText(seconds)}`;
      list.append(li);
    }
    node.append(label, list);
  }
  return node;
}

let deliveryIds = 0;

function rubricTable(parts: IRubricPart[]): HTMLElement {
  const caption = el('caption');
  caption.textContent = 'Rubric (the parts add up to the score)';
  const { table, body } = tableWithHead('mil-bq-rubric', caption, [
    'Dimension',
    'Points',
    'Why'
  ]);
  for (const part of parts) {
    const tr = el('tr');
    const name = el('th');
    name.scope = 'row';
    name.textContent = part.dimension.replace(/_/g, ' ');
    const points = el('td', 'mil-bq-points');
    points.textContent = `${part.points}/${part.outOf}`;
    const why = el('td');
    why.textContent = part.why;
    tr.append(name, points, why);
    body.append(tr);
  }
  return table;
}

function starBlock(scored: IScored): HTMLElement {
  const node = el('div', 'mil-bq-star');
  node.append(subtitle('STAR evidence (your own sentences)'));
  const list = el('dl', 'mil-bq-evidence');
  for (const [key, label] of STAR_PARTS) {
    const term = el('dt');
    term.textContent = label;
    const sentences = scored.evidence.filter(e => e.part === key);
    const found = scored.star[key] || sentences.length > 0;
    term.append(document.createTextNode(found ? '' : ' (missing)'));
    term.classList.toggle('mil-mod-missing', !found);
    list.append(term);
    if (sentences.length) {
      for (const e of sentences) {
        const dd = el('dd');
        const quote = el('q');
        quote.textContent = e.sentence;
        dd.append(quote);
        list.append(dd);
      }
    } else {
      const dd = el('dd', 'mil-bq-none');
      dd.textContent = found ? 'present' : 'not in your answer';
      list.append(dd);
    }
  }
  node.append(list);
  return node;
}

function trendChart(points: IHistorySession[], describedBy: string): Element {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'mil-bq-chart');
  svg.setAttribute('viewBox', `0 0 ${CHART_W} ${CHART_H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Overall score per session, oldest first');
  svg.setAttribute('aria-describedby', describedBy);
  const x = (i: number): number =>
    points.length === 1
      ? CHART_W / 2
      : CHART_PAD + (i * (CHART_W - 2 * CHART_PAD)) / (points.length - 1);
  const y = (score: number): number =>
    CHART_H -
    CHART_PAD -
    (Math.max(0, Math.min(10, score)) / 10) * (CHART_H - 2 * CHART_PAD);
  // The readiness lines: 8 (Ready) and 6 (Almost Ready).
  for (const mark of [6, 8]) {
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('class', 'mil-bq-chart-band');
    line.setAttribute('x1', String(CHART_PAD));
    line.setAttribute('x2', String(CHART_W - CHART_PAD));
    line.setAttribute('y1', String(y(mark)));
    line.setAttribute('y2', String(y(mark)));
    svg.append(line);
  }
  const scores = points.map(p => p.overall_score as number);
  const path = document.createElementNS(ns, 'polyline');
  path.setAttribute('class', 'mil-bq-chart-line');
  path.setAttribute(
    'points',
    scores.map((s, i) => `${x(i).toFixed(1)},${y(s).toFixed(1)}`).join(' ')
  );
  svg.append(path);
  scores.forEach((s, i) => {
    const dot = document.createElementNS(ns, 'circle');
    dot.setAttribute('class', 'mil-bq-chart-dot');
    dot.setAttribute('cx', x(i).toFixed(1));
    dot.setAttribute('cy', y(s).toFixed(1));
    dot.setAttribute('r', '3');
    const tip = document.createElementNS(ns, 'title');
    tip.textContent = `${points[i].started_at ?? ''} ${s.toFixed(1)}/10`.trim();
    dot.append(tip);
    svg.append(dot);
  });
  return svg;
}

function listBlock(
  title: string,
  items: string[],
  tag: 'ul' | 'ol'
): HTMLElement {
  const node = el('div', 'mil-bq-list');
  node.append(subtitle(title));
  if (!items.length) {
    node.append(paragraph('—'));
    return node;
  }
  const list = el(tag);
  for (const item of items) {
    const li = el('li');
    li.textContent = item;
    list.append(li);
  }
  node.append(list);
  return node;
}

function subtitle(text: string): HTMLElement {
  const node = el('h4', 'mil-room-subtitle');
  node.textContent = text;
  return node;
}

function paragraph(text: string): HTMLElement {
  const node = el('p');
  node.textContent = text;
  return node;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === null || value === undefined
      ? ''
      : String(value);
}

function strs(value: unknown): string[] {
  return list(value).map(str).filter(Boolean);
}

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}
