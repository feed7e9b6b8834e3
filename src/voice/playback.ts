/**
 * The coach's voice: WAV files from `speak` messages, played in order
 * through WebAudio, stoppable at once (barge-in).
 */

export type PlaybackListener = (state: 'started' | 'ended', id: number) => void;

export class Speaker {
  constructor(
    private readonly _context: AudioContext,
    private readonly _listener: PlaybackListener,
    private readonly _onError: (message: string) => void
  ) {}

  /**
   * True while a reply is sounding.
   */
  get playing(): boolean {
    return this._current !== null;
  }

  /**
   * Play `wav` after whatever is queued before it.
   */
  enqueue(id: number, wav: ArrayBuffer): void {
    const generation = this._generation;
    // Decoding starts at once; playing waits for the one before.
    const decoded = this._context.decodeAudioData(wav);
    this._queue = this._queue
      .then(async () => {
        const buffer = await decoded;
        if (generation === this._generation) {
          await this._play(id, buffer, generation);
        }
      })
      .catch(error => {
        if (generation === this._generation) {
          this._onError(
            `The coach's reply could not be played (${String(error)}); it is in the transcript.`
          );
        }
      });
  }

  /**
   * Silence now, and drop what was queued.
   */
  stop(): void {
    this._generation += 1;
    const current = this._current;
    this._current = null;
    if (current) {
      current.source.onended = null;
      try {
        current.source.stop();
      } catch {
        // Not started yet, or already over: silent either way.
      }
      current.source.disconnect();
      current.finish();
      this._listener('ended', current.id);
    }
  }

  private _play(
    id: number,
    buffer: AudioBuffer,
    generation: number
  ): Promise<void> {
    return new Promise<void>(resolve => {
      if (generation !== this._generation) {
        resolve();
        return;
      }
      const source = this._context.createBufferSource();
      source.buffer = buffer;
      source.connect(this._context.destination);
      const current = { id, source, finish: resolve };
      source.onended = () => {
        if (this._current === current) {
          this._current = null;
          source.disconnect();
          this._listener('ended', id);
        }
        resolve();
      };
      this._current = current;
      if (this._context.state === 'suspended') {
        void this._context.resume();
      }
      source.start();
      this._listener('started', id);
    });
  }

  private _current: {
    id: number;
    source: AudioBufferSourceNode;
    finish: () => void;
  } | null = null;
  private _queue: Promise<void> = Promise.resolve();
  private _generation = 0;
}
