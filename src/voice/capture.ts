/**
 * The microphone: getUserMedia, then the PCM16 worklet (worklet.ts).
 */
import { FRAME_SAMPLES, PROCESSOR_NAME, WORKLET_SOURCE } from './worklet';

/**
 * One frame of 16 kHz mono PCM16 (little-endian, the platform's order in
 * every browser that runs JupyterLab) and its RMS on the 0..1 scale.
 */
export interface IFrame {
  pcm: ArrayBuffer;
  rms: number;
}

/**
 * The microphone could not be opened; the message says why in one sentence.
 */
export class MicrophoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MicrophoneError';
  }
}

// A context loads a worklet module once.
const contextsWithWorklet = new WeakSet<BaseAudioContext>();

async function loadWorklet(context: AudioContext): Promise<void> {
  if (contextsWithWorklet.has(context)) {
    return;
  }
  const url = URL.createObjectURL(
    new Blob([WORKLET_SOURCE], { type: 'application/javascript' })
  );
  try {
    await context.audioWorklet.addModule(url);
  } finally {
    URL.revokeObjectURL(url);
  }
  contextsWithWorklet.add(context);
}

export class Microphone {
  private constructor(
    private readonly _stream: MediaStream,
    private readonly _source: MediaStreamAudioSourceNode,
    private readonly _node: AudioWorkletNode,
    private readonly _mute: GainNode
  ) {}

  /**
   * Ask for the microphone and start posting frames to `onFrame`.
   */
  static async open(
    context: AudioContext,
    onFrame: (frame: IFrame) => void
  ): Promise<Microphone> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new MicrophoneError(
        'This page cannot use a microphone (the browser allows it on https or localhost only); you can keep typing.'
      );
    }
    if (!context.audioWorklet) {
      throw new MicrophoneError(
        'This browser has no AudioWorklet, which the microphone needs; you can keep typing.'
      );
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          channelCount: 1,
          echoCancellation: true,
          noiseSuppression: true
        }
      });
    } catch (error) {
      throw new MicrophoneError(describeMediaError(error));
    }
    try {
      await loadWorklet(context);
      const source = context.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(context, PROCESSOR_NAME, {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions: { frameSamples: FRAME_SAMPLES }
      });
      node.port.onmessage = (event: MessageEvent<IFrame>) => {
        onFrame(event.data);
      };
      // A node that reaches the destination is pulled by the audio graph in
      // every browser; the zero gain keeps the candidate's voice off the
      // speakers.
      const mute = context.createGain();
      mute.gain.value = 0;
      source.connect(node);
      node.connect(mute);
      mute.connect(context.destination);
      if (context.state === 'suspended') {
        await context.resume();
      }
      return new Microphone(stream, source, node, mute);
    } catch (error) {
      stream.getTracks().forEach(track => track.stop());
      throw new MicrophoneError(
        `The audio processing could not start (${String(error)}); you can keep typing.`
      );
    }
  }

  /**
   * Release the microphone (the browser's recording indicator goes out).
   */
  close(): void {
    this._node.port.onmessage = null;
    this._source.disconnect();
    this._node.disconnect();
    this._mute.disconnect();
    this._stream.getTracks().forEach(track => track.stop());
  }
}

function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was refused; allow it in the browser (the icon in the address bar) to talk, or keep typing.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found; plug one in and try again, or keep typing.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone is busy or failed (another program may hold it); you can keep typing.';
    default:
      return `The microphone could not be opened (${String(error)}); you can keep typing.`;
  }
}
