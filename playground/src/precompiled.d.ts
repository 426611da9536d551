// The examples compiled when the site was built (playground/precompile.js): compile()'s
// Precompiled, with the bytes in base64.
declare module 'virtual:par-precompiled' {
  const entries: { source: string; boundsCheck: boolean; interruptible: boolean; bytes: string; manifest: unknown }[];
  export default entries;
}
