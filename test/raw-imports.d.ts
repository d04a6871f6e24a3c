/** Vite's `?raw` imports: a file's text (test fixtures read inside workerd, which has no fs). */
declare module '*?raw' {
  const text: string;
  export default text;
}
