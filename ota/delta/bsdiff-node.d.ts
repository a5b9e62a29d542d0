// bsdiff-node 2.5 ships no types. Its async functions run Colin Percival's bsdiff/bspatch in libuv's thread pool,
// call `progress(percent, error)` along the way and settle when done (rejecting with the C code's message text).
declare module 'bsdiff-node' {
  type Progress = (percent: number, error: string) => void;
  const bsdiff: {
    diff(oldFile: string, newFile: string, patchFile: string, progress?: Progress): Promise<void>;
    patch(oldFile: string, newFile: string, patchFile: string, progress?: Progress): Promise<void>;
  };
  export default bsdiff;
}
