// The examples menu: the repository's examples/*.par where they exist, plus a few written for the
// playground (playground/examples/*.par). All are also Python programs. The list is
// playground/examples.json (file names relative to this directory), which the site's build also
// reads to compile the examples ahead of time (playground/precompile.js).
import list from '../examples.json';

const files = import.meta.glob<string>(['../../examples/*.par', '../examples/*.par'], { query: '?raw', import: 'default', eager: true });

export const EXAMPLES: { id: string; title: string; source: string }[] = list.map((x: { id: string; title: string; file: string; append?: string }) => {
  const text = files[x.file];
  if (text === undefined) throw new Error(`playground/examples.json: no file ${x.file}`);
  return { id: x.id, title: x.title, source: text + (x.append ?? '') };
});
