// The part of pako 1.x (no bundled types) that src/weights/inflate.ts uses.
declare module 'pako' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- ambient: the class exists at run time as pako.Inflate
  class Inflate {
    constructor(options?: { raw?: boolean; chunkSize?: number });
    push(data: Uint8Array, mode?: boolean): boolean;
    onData(chunk: Uint8Array): void;
    err: number;
    msg: string;
  }
  const pako: { Inflate: typeof Inflate };
  export default pako;
}
