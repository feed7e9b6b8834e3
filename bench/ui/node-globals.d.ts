// The few Node APIs the bench uses: ui-tests' packages carry no @types/node,
// and this is all that type-checking the bench needs of it.
declare const __dirname: string;
declare const process: { env: Record<string, string | undefined> };

declare module 'fs' {
  export function mkdirSync(
    path: string,
    options?: { recursive?: boolean }
  ): void;
  export function writeFileSync(path: string, data: string): void;
}

declare module 'path' {
  export function resolve(...parts: string[]): string;
  export function dirname(path: string): string;
}
