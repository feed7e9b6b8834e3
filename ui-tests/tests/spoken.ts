/**
 * A candidate who speaks: Chromium's fake microphone plays a sentence
 * spoken by flite (kal16, its 16 kHz voice) with silence around it, looped
 * for as long as the microphone is on. The browser is launched once per
 * worker with it, so the file is made first, in a worker fixture.
 */
import { test as base } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The sentence, and the seconds of silence before and after it. */
export interface ISpoken {
  sentence: string;
  leadSilenceS: number;
  trailSilenceS: number;
}

/**
 * The sentence as a 16-bit PCM WAV file with silence around it.
 */
export function makeSpokenWav(folder: string, spoken: ISpoken): string {
  const said = path.join(folder, 'spoken.wav');
  execFileSync('flite', ['-voice', 'kal16', '-t', spoken.sentence, '-o', said]);
  const wav = fs.readFileSync(said);
  const format = findChunk(wav, 'fmt ');
  const channels = wav.readUInt16LE(format.start + 2);
  const rate = wav.readUInt32LE(format.start + 4);
  const bits = wav.readUInt16LE(format.start + 14);
  if (wav.readUInt16LE(format.start) !== 1 || bits !== 16) {
    throw new Error(`${said}: flite did not write 16-bit PCM`);
  }
  const data = findChunk(wav, 'data');
  const bytesPerSecond = rate * channels * 2;
  const pcm = Buffer.concat([
    Buffer.alloc(spoken.leadSilenceS * bytesPerSecond),
    wav.subarray(data.start, data.start + data.size),
    Buffer.alloc(spoken.trailSilenceS * bytesPerSecond)
  ]);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(bytesPerSecond, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  const padded = path.join(folder, 'sentence.wav');
  fs.writeFileSync(padded, Buffer.concat([header, pcm]));
  return padded;
}

function findChunk(wav: Buffer, id: string): { start: number; size: number } {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const size = wav.readUInt32LE(offset + 4);
    if (wav.toString('ascii', offset, offset + 4) === id) {
      return {
        start: offset + 8,
        size: Math.min(size, wav.length - offset - 8)
      };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`no "${id}" chunk in the WAV file`);
}

/**
 * Galata's test with the browser's fake microphone playing `spoken` (the
 * microphone itself stays off until the candidate turns it on).
 */
export function withFakeMicrophone(spoken: ISpoken) {
  return base.extend<Record<never, never>, { spokenWav: string }>({
    spokenWav: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mil-voice-'));
        try {
          await use(makeSpokenWav(folder, spoken));
        } finally {
          fs.rmSync(folder, { recursive: true, force: true });
        }
      },
      { scope: 'worker' }
    ],
    launchOptions: [
      async ({ launchOptions, spokenWav }, use) => {
        await use({
          ...launchOptions,
          args: [
            ...(launchOptions.args ?? []),
            '--use-fake-ui-for-media-stream',
            '--use-fake-device-for-media-stream',
            `--use-file-for-fake-audio-capture=${spokenWav}`,
            '--autoplay-policy=no-user-gesture-required'
          ]
        });
      },
      { scope: 'worker' }
    ]
  });
}
