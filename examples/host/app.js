// A host: every installed plugin of the group "example.formatters", loaded once, in order.
// Plugins are formatter objects: { format(text) => text, order? }.
import { fileURLToPath } from 'node:url';
import { plugins } from 'epindex';

/** @typedef {{ format(text: string): string; order?: number }} Formatter */

const block = (process.env.EXAMPLE_BLOCK ?? '').split(',').filter(Boolean);
/** @type {import('epindex').PluginSet<Formatter>} */
const formatters = plugins('example.formatters', { from: fileURLToPath(new URL('.', import.meta.url)), block, disableEnv: 'EXAMPLE_NO_PLUGINS' });

let text = process.argv[2] ?? 'hello';
for await (const { name, entryPoint, object } of formatters) {
  text = object.format(text);
  console.log(`${name}\t${text}\t${entryPoint.package.key} ${entryPoint.value}`);
}
for (const f of await formatters.failures()) console.error(`failed: ${f.name} from ${f.distribution.name}: ${f.error.message}`);
for (const b of await formatters.blocked()) console.error(`blocked: ${b.name}`);
const { disabled } = await formatters.ready();
if (disabled) console.error(disabled);
