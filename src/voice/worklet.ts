/**
 * The AudioWorklet processor that turns the microphone into 16 kHz mono
 * PCM16 frames, as source text: the view loads it from a Blob URL, so the
 * labextension bundle needs no asset of its own and no URL to find it by.
 *
 * The processor runs on the audio thread at the context's own rate (44.1
 * or 48 kHz as a rule). Each 16 kHz output sample is the mean of the input
 * samples of its period (a box filter: enough low-pass for speech before
 * the decimation), scaled to PCM16. Every FRAME_SAMPLES output samples it
 * posts `{pcm: ArrayBuffer, rms: number}` (the buffer transferred, the RMS
 * on the 0..1 scale of PCM16 full scale, the scale of `stt.noise_threshold`).
 */
export const PROCESSOR_NAME = 'mock-interviewer-pcm16';

/**
 * 40 ms at 16 kHz: 1280 bytes a frame, 25 frames a second.
 */
export const FRAME_SAMPLES = 640;

export const WORKLET_SOURCE = `
const TARGET_RATE = 16000;

class MockInterviewerPcm16 extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const settings = (options && options.processorOptions) || {};
    this.frameSamples = settings.frameSamples || 640;
    // sampleRate is the worklet scope's global: the context's rate.
    this.ratio = sampleRate / TARGET_RATE;
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.sumSquares = 0;
    this.periodSum = 0;
    this.periodCount = 0;
    this.consumed = 0;
    this.periodEnd = this.ratio;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) {
      return true;
    }
    const channels = input.length;
    const length = input[0].length;
    for (let i = 0; i < length; i++) {
      let sample = 0;
      for (let c = 0; c < channels; c++) {
        sample += input[c][i];
      }
      this.periodSum += sample / channels;
      this.periodCount += 1;
      this.consumed += 1;
      if (this.consumed >= this.periodEnd) {
        this.periodEnd += this.ratio;
        this.emit(this.periodSum / this.periodCount);
        this.periodSum = 0;
        this.periodCount = 0;
      }
    }
    return true;
  }

  emit(value) {
    const clipped = Math.max(-1, Math.min(1, value));
    const pcm = Math.round(clipped < 0 ? clipped * 32768 : clipped * 32767);
    this.frame[this.filled] = pcm;
    this.filled += 1;
    this.sumSquares += pcm * pcm;
    if (this.filled === this.frameSamples) {
      const rms = Math.sqrt(this.sumSquares / this.frameSamples) / 32768;
      const buffer = this.frame.buffer;
      this.port.postMessage({ pcm: buffer, rms: rms }, [buffer]);
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
      this.sumSquares = 0;
    }
  }
}

registerProcessor('${PROCESSOR_NAME}', MockInterviewerPcm16);
`;
