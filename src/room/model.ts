/**
 * What the room shows of one session, and how the server's messages change
 * it (docs/api.md: the session view, the snapshot, actions and events of
 * `sessions/{id}/ws`).
 *
 * No DOM and no network here: the widget (widget.ts) draws a `RoomModel`
 * and the connection (connection.ts) feeds it.
 */
import { ISignal, Signal } from '@lumino/signaling';

/**
 * The output bundle's MIME type the kernel displays with the ipywidgets
 * panel (mock_interviewer_lab/kernel): the room renders it in JupyterLab,
 * the panel is the fallback elsewhere.
 */
export const ROOM_MIME = 'application/vnd.mock-interviewer.room+json';

/**
 * The room bundle: which session, for the compact line and the room.
 * `voice` (false when the server has no speech recognition) and
 * `noise_threshold` are optional.
 */
export interface IRoomBundle {
  session_id: string;
  title: string;
  problem: string;
  minutes: number | null;
  voice: boolean;
  noise_threshold: number | null;
  /** The kind of interview: `coding` (default) or `behavioral`. */
  kind?: string;
  /** A behavioural interview's set-up (stage, difficulty, level). */
  setup?: Record<string, unknown>;
}

/**
 * The bundle as the kernel sent it, or null when it is not one.
 */
export function parseRoomBundle(data: unknown): IRoomBundle | null {
  if (data === null || typeof data !== 'object') {
    return null;
  }
  const raw = data as Record<string, unknown>;
  const sessionId = raw.session_id;
  if (typeof sessionId !== 'string' || sessionId === '') {
    return null;
  }
  const text = (key: string): string =>
    typeof raw[key] === 'string' ? (raw[key] as string) : '';
  return {
    session_id: sessionId,
    title: text('title'),
    problem: text('problem'),
    minutes: finite(raw.minutes),
    voice: raw.voice !== false,
    noise_threshold: finite(raw.noise_threshold),
    kind: text('kind') || 'coding',
    setup:
      raw.setup && typeof raw.setup === 'object'
        ? { ...(raw.setup as Record<string, unknown>) }
        : {}
  };
}

/** The phases in interview order (the others are rare detours). */
export const STEPPER_PHASES: ReadonlyArray<string> = [
  'intro',
  'understanding',
  'approach',
  'coding',
  'testing',
  'debugging',
  'optimization',
  'complexity',
  'reflection',
  'done'
];

export type Speaker = 'candidate' | 'coach' | 'tests';

export interface ILine {
  seq: number | null;
  /** Seconds since the session started. */
  t: number | null;
  speaker: Speaker;
  text: string;
}

export interface IHint {
  level: number;
  of: number;
  text: string;
}

export interface ICase {
  name: string;
  args: string;
  expected: string;
  got: string;
  status: string;
  message: string;
}

export interface IResults {
  passed: number;
  total: number;
  error: string;
  /** The visible cases only. */
  cases: ICase[];
  hiddenPassed: number;
  hiddenTotal: number;
}

export interface IExample {
  input: string;
  output: string;
  explanation: string;
}

/**
 * `GET problems/{ref}` (Problem.public_view), or a follow-up's
 * `problem_added`: what the candidate may see.
 */
export interface IProblemView {
  id: string;
  title: string;
  difficulty: string;
  statement: string;
  examples: IExample[];
  constraints: string[];
  followUp: boolean;
}

export function problemView(data: unknown, followUp = false): IProblemView {
  const raw = (data ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string =>
    typeof value === 'string' ? value : '';
  const examples = Array.isArray(raw.examples) ? raw.examples : [];
  const constraints = Array.isArray(raw.constraints) ? raw.constraints : [];
  return {
    id: text(raw.id) || text(raw.problem),
    title: text(raw.title) || text(raw.id) || text(raw.problem),
    difficulty: text(raw.difficulty),
    statement: text(raw.statement),
    examples: examples.map(example => {
      const e = (example ?? {}) as Record<string, unknown>;
      return {
        input: text(e.input),
        output: text(e.output),
        explanation: text(e.explanation)
      };
    }),
    constraints: constraints.map(c => String(c)),
    followUp
  };
}

/**
 * The results of a run as the room shows them: the visible cases in a
 * table, the hidden ones only counted.
 */
export function resultsView(data: unknown): IResults | null {
  if (data === null || typeof data !== 'object') {
    return null;
  }
  const raw = data as Record<string, unknown>;
  const cases = (Array.isArray(raw.cases) ? raw.cases : []).map(
    c => (c ?? {}) as Record<string, unknown>
  );
  const visible = cases.filter(c => !c.hidden);
  const hidden = cases.filter(c => c.hidden);
  return {
    passed: Number(raw.passed) || 0,
    total: Number(raw.total) || 0,
    error: typeof raw.error === 'string' ? raw.error : '',
    cases: visible.map(c => ({
      name: String(c.name ?? ''),
      args: argsText(c),
      expected: valueText(c.expected),
      got:
        typeof c.got_repr === 'string' && c.got_repr !== ''
          ? c.got_repr
          : valueText(c.got),
      status: String(c.status ?? ''),
      message: typeof c.message === 'string' ? c.message : ''
    })),
    hiddenPassed: hidden.filter(c => c.status === 'passed').length,
    hiddenTotal: hidden.length
  };
}

function argsText(c: Record<string, unknown>): string {
  const args = (Array.isArray(c.args) ? c.args : []).map(valueText);
  const kwargs =
    c.kwargs && typeof c.kwargs === 'object'
      ? Object.entries(c.kwargs as Record<string, unknown>).map(
          ([key, value]) => `${key}=${valueText(value)}`
        )
      : [];
  return [...args, ...kwargs].join(', ');
}

/**
 * A value as Python would write it (the harness sends JSON of Python
 * values): enough for lists, numbers, strings, booleans and None.
 */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) {
    return value === null ? 'None' : '';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'string') {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(valueText).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${valueText(key)}: ${valueText(item)}`
    );
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

// ------------------------------------------------------------------ clock

export type ClockLevel = 'normal' | 'warning' | 'critical' | 'over' | 'ended';

/** From this many seconds left the clock warns (colour and words). */
export const WARNING_S = 5 * 60;
/** From this many seconds left it is critical. */
export const CRITICAL_S = 60;

export interface IClockReading {
  /** Seconds left of the interview now, or null when unknown. */
  left: number | null;
  /** Seconds left of this phase (never more than the interview's). */
  phaseLeft: number | null;
  level: ClockLevel;
  /** The words beside the figures ('' when all is well). */
  words: string;
}

/**
 * The clock as of `goneSeconds` after the times were known.
 */
export function readClock(
  timeLeft: number | null,
  phaseLeft: number | null,
  ended: boolean,
  goneSeconds: number
): IClockReading {
  const gone = ended ? 0 : Math.max(0, goneSeconds);
  const left = timeLeft === null ? null : Math.max(0, timeLeft - gone);
  let phase = phaseLeft === null ? null : Math.max(0, phaseLeft - gone);
  if (phase !== null && left !== null) {
    phase = Math.min(phase, left);
  }
  if (ended) {
    return { left, phaseLeft: null, level: 'ended', words: 'Interview over' };
  }
  if (left === null) {
    return { left, phaseLeft: phase, level: 'normal', words: '' };
  }
  if (left <= 0) {
    return { left: 0, phaseLeft: null, level: 'over', words: 'Time is up' };
  }
  if (left <= CRITICAL_S) {
    return {
      left,
      phaseLeft: phase,
      level: 'critical',
      words: 'Less than a minute left'
    };
  }
  if (left <= WARNING_S) {
    const minutes = Math.ceil(left / 60);
    return {
      left,
      phaseLeft: phase,
      level: 'warning',
      words: `${minutes} minutes left`
    };
  }
  return { left, phaseLeft: phase, level: 'normal', words: '' };
}

/**
 * `mm:ss` ('--:--' when unknown).
 */
export function clockText(seconds: number | null): string {
  if (seconds === null || Number.isNaN(seconds)) {
    return '--:--';
  }
  // Up: 4:59.2 left reads 05:00 until it is really 4:59.
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

// ------------------------------------------------------------------ model

/**
 * Something the room should say out loud (the ARIA live regions).
 */
export interface IAnnouncement {
  kind: 'coach' | 'clock' | 'status';
  text: string;
}

/** An action as RoomModel.actionSeen passes it on. */
export interface IActionSeen {
  action: Record<string, unknown>;
  /** From a snapshot's stored actions (a reload): not to be announced. */
  replayed: boolean;
}

/**
 * The session as the room shows it, changed by the server's messages.
 */
export class RoomModel {
  constructor(
    readonly bundle: IRoomBundle,
    private readonly _now: () => number = () => performance.now()
  ) {}

  /** Emitted after every change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Something to announce (coach lines, clock warnings). */
  get announced(): ISignal<this, IAnnouncement> {
    return this._announced;
  }

  /** The interview ended and its report is ready. */
  get reportReady(): ISignal<this, void> {
    return this._reportReady;
  }

  /**
   * Every new action before the room handles it (a snapshot's stored ones
   * with `replayed`; null when a snapshot begins): another kind's view
   * (behavioral.ts) reads its own actions here.
   */
  get actionSeen(): ISignal<this, IActionSeen | null> {
    return this._actionSeen;
  }

  phase = '';
  ended = false;
  problem: IProblemView | null = null;
  hintLabel = '';
  hintLevel = 0;
  hintOf = 3;
  hints: IHint[] = [];
  /** Counts changes of `hints` (a follow-up or a snapshot replaces them). */
  hintsVersion = 0;
  lines: ILine[] = [];
  /** Sentences of a coach reply still streaming. */
  live: string[] = [];
  results: IResults | null = null;
  testsRunning = false;
  /** A passing remark ('' when none): the model fell back, an error. */
  notice = '';
  /** What the notice is: 'scorer_fallback' (a behavioural scorer's fallback) or ''. */
  noticeKind = '';
  /** The socket's state, for the header. */
  connection: 'connecting' | 'open' | 'lost' = 'connecting';
  /** Counts changes of `lines` (the widget keeps the newest in view). */
  linesVersion = 0;
  /** Counts snapshots: each one replaces `lines`. */
  snapshots = 0;

  /**
   * The clock now.
   */
  clock(): IClockReading {
    return readClock(
      this._timeLeft,
      this._phaseLeft,
      this.ended,
      (this._now() - this._knownAt) / 1000
    );
  }

  /**
   * A State of the session view or a snapshot (docs/api.md).
   */
  setState(state: unknown): void {
    if (state === null || typeof state !== 'object') {
      return;
    }
    const raw = state as Record<string, unknown>;
    if (typeof raw.phase === 'string') {
      this.phase = raw.phase;
    }
    const wasEnded = this.ended;
    this.ended = Boolean(raw.ended);
    this._timeLeft = finite(raw.time_left_s);
    this._phaseLeft = finite(raw.phase_budget_left_s);
    const elapsed = finite(raw.elapsed_s);
    if (elapsed !== null && this._timeLeft !== null) {
      this._total = elapsed + this._timeLeft;
    }
    this._knownAt = this._now();
    const hint = raw.hint as Record<string, unknown> | undefined;
    if (hint && typeof hint === 'object') {
      this.hintLevel = Number(hint.level) || 0;
      this.hintOf = Number(hint.of) || this.hintOf;
      this.hintLabel = typeof hint.label === 'string' ? hint.label : '';
    }
    if (raw.last_results) {
      this.results = resultsView(raw.last_results);
    }
    if (this.ended && !wasEnded) {
      this.testsRunning = false;
      this.live = [];
    }
    this._checkClock();
    this._changed.emit();
  }

  /**
   * The socket's first message: the state and the whole transcript so far
   * (a reconnect replaces what was shown).
   */
  applySnapshot(snapshot: Record<string, unknown>): void {
    const transcript = Array.isArray(snapshot.transcript)
      ? snapshot.transcript
      : [];
    this.lines = [];
    this._seen.clear();
    for (const item of transcript) {
      const line = (item ?? {}) as Record<string, unknown>;
      const speaker = line.speaker;
      if (
        speaker !== 'candidate' &&
        speaker !== 'coach' &&
        speaker !== 'tests'
      ) {
        continue;
      }
      const seq = typeof line.seq === 'number' ? line.seq : null;
      if (seq !== null) {
        this._seen.add(seq);
      }
      this.lines.push({
        seq,
        t: finite(line.t),
        speaker,
        text: String(line.text ?? '')
      });
    }
    this.live = [];
    this.linesVersion += 1;
    this.snapshots += 1;
    // What the state does not carry, from the stored actions (hints given,
    // the follow-up problem), replayed in order and without announcements:
    // a reload or a second view looks as the room did.
    if (Array.isArray(snapshot.actions)) {
      this._actionSeen.emit(null);
      this.hints = [];
      for (const action of snapshot.actions) {
        this._replay(action);
      }
      this.hintsVersion += 1;
    }
    this.setState(snapshot.state);
  }

  // A stored action of the snapshot: its effect, said to no one.
  private _replay(action: unknown): void {
    if (action === null || typeof action !== 'object') {
      return;
    }
    const raw = action as Record<string, unknown>;
    const data = (raw.data ?? {}) as Record<string, unknown>;
    if (typeof raw.seq === 'number') {
      this._seen.add(raw.seq);
    }
    this._actionSeen.emit({ action: raw, replayed: true });
    if (raw.type === 'show_hint') {
      this._addHint(data);
    } else if (raw.type === 'problem_added') {
      this._followUp(data);
    }
  }

  private _addHint(data: Record<string, unknown>): void {
    this.hintLevel = Number(data.level) || this.hintLevel;
    this.hintOf = Number(data.of) || this.hintOf;
    this.hintLabel =
      typeof data.label === 'string'
        ? data.label
        : `hint ${this.hintLevel} of ${this.hintOf}`;
    this.hints.push({
      level: this.hintLevel,
      of: this.hintOf,
      text: String(data.text ?? '')
    });
    this.hintsVersion += 1;
  }

  private _followUp(data: Record<string, unknown>): IProblemView {
    const problem = problemView(data, true);
    this.problem = problem;
    this.results = null;
    this.hints = [];
    this.hintsVersion += 1;
    this.hintLevel = 0;
    this.hintLabel = '';
    return problem;
  }

  /**
   * One action (an Action dict, from the socket or a POST's answer: the
   * same action may come twice, its seq tells).
   */
  applyAction(action: unknown): void {
    if (!this._fresh(action)) {
      return;
    }
    const raw = action as Record<string, unknown>;
    const data = (raw.data ?? {}) as Record<string, unknown>;
    const t = finite(raw.t);
    this._advanceClockTo(t);
    this._actionSeen.emit({ action: raw, replayed: false });
    switch (raw.type) {
      case 'coach_says': {
        const text = String(data.text ?? '');
        this.live = [];
        this._addLine('coach', text, t, finite(raw.seq));
        this._announce('coach', `Coach: ${text}`);
        break;
      }
      case 'coach_partial':
        this.live.push(String(data.text ?? ''));
        break;
      case 'coach_fallback':
        this.notice = String(data.message ?? '');
        this.noticeKind = '';
        break;
      case 'show_hint':
        this._addHint(data);
        // Not announced: the coach says the hint too (a coach line).
        break;
      case 'phase_changed':
        if (typeof data.to === 'string') {
          this.phase = data.to;
        }
        break;
      case 'time_warning': {
        const minutes = Number(data.minutes_left);
        if (Number.isFinite(minutes)) {
          this._serverWarning(Math.round(minutes));
        }
        break;
      }
      case 'run_tests':
        this.testsRunning = true;
        this.notice = '';
        this.noticeKind = '';
        break;
      case 'show_results':
        this.testsRunning = false;
        this.results = resultsView(data);
        if (this.results) {
          this._addLine(
            'tests',
            `${this.results.passed}/${this.results.total} passed`,
            t,
            finite(raw.seq)
          );
          this._announce(
            'status',
            `${this.results.passed} of ${this.results.total} tests passed`
          );
        }
        break;
      case 'problem_added':
        this._announce(
          'status',
          `Follow-up problem: ${this._followUp(data).title}`
        );
        break;
      case 'report_ready':
        this.ended = true;
        this.testsRunning = false;
        this.live = [];
        this._reportReady.emit();
        break;
      default:
        return;
    }
    this._changed.emit();
  }

  /**
   * An event of the socket: the candidate's lines, typed or spoken.
   */
  applyEvent(event: unknown): void {
    if (!this._fresh(event)) {
      return;
    }
    const raw = event as Record<string, unknown>;
    if (raw.type !== 'candidate_said') {
      return;
    }
    const data = (raw.data ?? {}) as Record<string, unknown>;
    const t = finite(raw.t);
    this._advanceClockTo(t);
    this._addLine('candidate', String(data.text ?? ''), t, finite(raw.seq));
    this._changed.emit();
  }

  /** The socket's state changed. */
  setConnection(state: 'connecting' | 'open' | 'lost'): void {
    if (this.connection !== state) {
      this.connection = state;
      this._changed.emit();
    }
  }

  /** The problem (the session's, until a follow-up replaces it). */
  setProblem(problem: IProblemView): void {
    if (!this.problem || !this.problem.followUp) {
      this.problem = problem;
      this._changed.emit();
    }
  }

  /** A line for the candidate ('' clears it), and what it is. */
  setNotice(text: string, kind = ''): void {
    this.notice = text;
    this.noticeKind = text ? kind : '';
    this._changed.emit();
  }

  /** Called every second by the widget: clock warnings as they fall due. */
  tick(): void {
    this._checkClock();
  }

  // Records with a seq are shown once (a POST's answer and the socket both
  // carry them); coach_partial has none.
  private _fresh(record: unknown): boolean {
    if (record === null || typeof record !== 'object') {
      return false;
    }
    const seq = (record as { seq?: unknown }).seq;
    if (typeof seq === 'number') {
      if (this._seen.has(seq)) {
        return false;
      }
      this._seen.add(seq);
    }
    return true;
  }

  private _addLine(
    speaker: Speaker,
    text: string,
    t: number | null,
    seq: number | null
  ): void {
    this.lines.push({ seq, t, speaker, text });
    this.linesVersion += 1;
  }

  // An action's `t` is the session clock when it happened: the clock
  // between two session views follows it.
  private _advanceClockTo(t: number | null): void {
    if (t === null || this._total === null || this.ended) {
      return;
    }
    const left = this._total - t;
    const now = this.clock().left;
    // Only forward: a late action must not wind the clock back.
    if (now === null || left < now) {
      const shift = (this._timeLeft ?? left) - left;
      this._timeLeft = left;
      this._phaseLeft =
        this._phaseLeft === null ? null : this._phaseLeft - shift;
      this._knownAt = this._now();
    }
  }

  private _checkClock(): void {
    const reading = this.clock();
    if (reading.level === 'over') {
      this._warnOnce('over', 'Time is up');
    } else if (reading.level === 'critical') {
      this._warnOnce('critical', reading.words);
    } else if (reading.level === 'warning') {
      this._warnOnce('warning', reading.words);
    }
  }

  // The server's time_warning: said once per level, whether it or the
  // local clock gets there first.
  private _serverWarning(minutes: number): void {
    if (minutes <= 0) {
      return;
    }
    const key =
      minutes * 60 <= CRITICAL_S
        ? 'critical'
        : minutes * 60 <= WARNING_S
          ? 'warning'
          : `m${minutes}`;
    this._warnOnce(
      key,
      minutes === 1 ? '1 minute left' : `${minutes} minutes left`
    );
  }

  private _warnOnce(key: string, text: string): void {
    if (this._warned.has(key)) {
      return;
    }
    this._warned.add(key);
    this._announce('clock', text);
  }

  private _announce(kind: IAnnouncement['kind'], text: string): void {
    this._announced.emit({ kind, text });
  }

  private _timeLeft: number | null = null;
  private _phaseLeft: number | null = null;
  private _total: number | null = null;
  private _knownAt = 0;
  private _seen = new Set<number>();
  private _warned = new Set<string>();
  private _changed = new Signal<this, void>(this);
  private _announced = new Signal<this, IAnnouncement>(this);
  private _reportReady = new Signal<this, void>(this);
  private _actionSeen = new Signal<this, IActionSeen | null>(this);
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
