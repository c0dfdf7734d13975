import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';

/**
 * A renderer for exactly the Go-template and Helm constructs charts/rocketry uses, so tests can render the chart
 * where Helm is not installed. Anything else fails loudly (`UnsupportedTemplate`), so a template cannot use a
 * construct whose meaning this file does not reproduce.
 *
 * Supported:
 *   text; `{{/* comment *\/}}`; trim markers `{{- ` and ` -}}` (all adjacent white space, newlines included)
 *   `{{ pipeline }}`, `{{ if pipeline }} … {{ else }} … {{ end }}`, `{{ range pipeline }} … {{ end }}` (lists only;
 *   dot is the element), `{{ define "name" }} … {{ end }}` (top level)
 *   pipeline = command ( `|` command )*; the value of each command is passed as the last argument of the next one
 *   command  = operand | function operand*
 *   operand  = `.` | `.A.B` | `$` | `$.A.B` | "string" | integer
 *   functions: include, toYaml, nindent, indent, quote, default, join, not (Helm and sprig semantics)
 * Values are looked up strictly: a missing key is an error here (Helm would print nothing).
 */

export class UnsupportedTemplate extends Error {
  override readonly name = 'UnsupportedTemplate';
}

type Operand =
  | { kind: 'field'; root: 'dot' | 'dollar'; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number };
type Command = { fn: string; args: Operand[] } | { operand: Operand };
type Pipeline = Command[];
type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipeline: Pipeline }
  | { type: 'if'; cond: Pipeline; whenTrue: Node[]; otherwise: Node[] }
  | { type: 'range'; over: Pipeline; body: Node[] };

type Token = { kind: 'text'; text: string } | { kind: 'action'; body: string; where: string };

const FUNCTIONS: Record<string, number> = {
  include: 2,
  toYaml: 1,
  nindent: 2,
  indent: 2,
  quote: 1,
  default: 2,
  join: 2,
  not: 1,
};

/** Splits text and actions, applying trim markers and dropping comments. */
function lex(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let trimNext = false;
  const line = (at: number) => `${file}:${source.slice(0, at).split('\n').length}`;
  const pushText = (text: string) => {
    tokens.push({ kind: 'text', text: trimNext ? text.replace(/^\s+/, '') : text });
    trimNext = false;
  };
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      pushText(source.slice(pos));
      break;
    }
    let text = source.slice(pos, open);
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    pushText(text);
    // Find the closing }} outside string literals.
    let end = start;
    let quote: string | undefined;
    for (; end < source.length; end++) {
      const c = source[end];
      if (quote) {
        if (c === '\\') end++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === '`') quote = c;
      else if (source.startsWith('}}', end)) break;
    }
    if (end >= source.length) throw new UnsupportedTemplate(`${line(open)}: unclosed action`);
    const leftTrim = start > open + 2;
    let body = source.slice(start, end);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    pos = end + 2;
    const trimmed = body.trim();
    // Go: a comment starts right after the delimiter (and trim marker with its space) and ends right before them.
    const inner = (leftTrim ? body.slice(1) : body).slice(0, trimNext ? -1 : undefined);
    if (trimmed.startsWith('/*')) {
      if (!inner.startsWith('/*') || !inner.endsWith('*/') || inner.length < 4) {
        throw new UnsupportedTemplate(`${line(open)}: malformed comment {{${body}}}`);
      }
      continue;
    }
    tokens.push({ kind: 'action', body: trimmed, where: line(open) });
  }
  return tokens;
}

/** Words of an action: string literals stay whole (with their quotes). */
function words(body: string, where: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\||[^\s|"]+)/gy;
  let m: RegExpExecArray | null = re.exec(body);
  while (m) {
    out.push(m[1] as string);
    if (re.lastIndex >= body.length) break;
    m = re.exec(body);
  }
  if (out.join('').replace(/\s/g, '') !== body.replace(/\s/g, '')) {
    throw new UnsupportedTemplate(`${where}: cannot read action {{ ${body} }}`);
  }
  return out;
}

function operand(word: string, where: string): Operand {
  if (word.startsWith('"')) return { kind: 'string', value: JSON.parse(word) as string };
  if (/^-?\d+$/.test(word)) return { kind: 'number', value: Number(word) };
  if (word === '.') return { kind: 'field', root: 'dot', path: [] };
  if (word === '$') return { kind: 'field', root: 'dollar', path: [] };
  const m = /^(\$?)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(word);
  if (!m) throw new UnsupportedTemplate(`${where}: unsupported operand ${word}`);
  return { kind: 'field', root: m[1] ? 'dollar' : 'dot', path: (m[2] as string).slice(1).split('.') };
}

function pipeline(ws: string[], where: string): Pipeline {
  if (ws.length === 0) throw new UnsupportedTemplate(`${where}: empty pipeline`);
  const commands: Pipeline = [];
  let current: string[] = [];
  const flush = () => {
    const [head, ...rest] = current;
    if (head === undefined) throw new UnsupportedTemplate(`${where}: empty command in pipeline`);
    if (/^[A-Za-z]/.test(head)) {
      const arity = FUNCTIONS[head];
      if (arity === undefined) throw new UnsupportedTemplate(`${where}: unsupported function or keyword ${head}`);
      const piped = commands.length > 0 ? 1 : 0;
      if (rest.length + piped !== arity) {
        throw new UnsupportedTemplate(`${where}: ${head} takes ${arity} arguments, got ${rest.length + piped}`);
      }
      commands.push({ fn: head, args: rest.map((w) => operand(w, where)) });
    } else {
      if (rest.length > 0 || commands.length > 0) throw new UnsupportedTemplate(`${where}: unsupported command`);
      commands.push({ operand: operand(head, where) });
    }
    current = [];
  };
  for (const w of ws) {
    if (w === '|') flush();
    else current.push(w);
  }
  flush();
  return commands;
}

interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

function parse(source: string, file: string): Parsed {
  const defines = new Map<string, Node[]>();
  type Frame = {
    kind: 'root' | 'if' | 'range' | 'define';
    nodes: Node[];
    node?: Node;
    name?: string;
    inElse?: boolean;
  };
  const root: Frame = { kind: 'root', nodes: [] };
  const stack: Frame[] = [root];
  const top = () => stack[stack.length - 1] as Frame;
  const target = (f: Frame): Node[] => {
    if (f.kind === 'if' && f.inElse) return (f.node as Extract<Node, { type: 'if' }>).otherwise;
    return f.nodes;
  };
  for (const token of lex(source, file)) {
    if (token.kind === 'text') {
      if (token.text) target(top()).push({ type: 'text', text: token.text });
      continue;
    }
    const ws = words(token.body, token.where);
    const [keyword, ...rest] = ws;
    switch (keyword) {
      case 'if': {
        const node: Node = { type: 'if', cond: pipeline(rest, token.where), whenTrue: [], otherwise: [] };
        target(top()).push(node);
        stack.push({ kind: 'if', nodes: node.whenTrue, node });
        break;
      }
      case 'range': {
        const node: Node = { type: 'range', over: pipeline(rest, token.where), body: [] };
        target(top()).push(node);
        stack.push({ kind: 'range', nodes: node.body, node });
        break;
      }
      case 'define': {
        if (stack.length !== 1 || rest.length !== 1 || !rest[0]?.startsWith('"')) {
          throw new UnsupportedTemplate(`${token.where}: define must be top level with one name`);
        }
        stack.push({ kind: 'define', nodes: [], name: JSON.parse(rest[0]) as string });
        break;
      }
      case 'else': {
        const frame = top();
        if (rest.length > 0 || frame.kind !== 'if' || frame.inElse) {
          throw new UnsupportedTemplate(`${token.where}: unsupported else (only a plain else of an if)`);
        }
        frame.inElse = true;
        break;
      }
      case 'end': {
        const frame = stack.pop();
        if (!frame || frame.kind === 'root' || rest.length > 0)
          throw new UnsupportedTemplate(`${token.where}: stray end`);
        if (frame.kind === 'define') defines.set(frame.name as string, frame.nodes);
        break;
      }
      case 'with':
      case 'template':
      case 'block':
      case 'tpl':
        throw new UnsupportedTemplate(`${token.where}: unsupported keyword ${keyword}`);
      default:
        if (ws.some((w) => w === ':=' || w === '=' || w.startsWith('(') || w.includes(')'))) {
          throw new UnsupportedTemplate(`${token.where}: unsupported syntax {{ ${token.body} }}`);
        }
        target(top()).push({ type: 'action', pipeline: pipeline(ws, token.where) });
    }
  }
  if (stack.length !== 1) throw new UnsupportedTemplate(`${file}: missing end`);
  return { nodes: root.nodes, defines };
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Go's `%v` of a value printed into the text, for the kinds charts/rocketry prints. */
function print(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  // Helm reads numbers as float64: %v prints 1000000 as 1e+06, so larger numbers are refused rather than guessed.
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  throw new UnsupportedTemplate(`${where}: will not print ${JSON.stringify(value)} (use toYaml or quote)`);
}

export interface TemplateContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion: string };
}

class Renderer {
  constructor(private readonly defines: Map<string, Node[]>) {}

  render(nodes: Node[], dot: unknown, dollar: unknown): string {
    let out = '';
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          out += node.text;
          break;
        case 'action':
          out += print(this.evaluate(node.pipeline, dot, dollar), 'action');
          break;
        case 'if':
          out += this.render(
            truthy(this.evaluate(node.cond, dot, dollar)) ? node.whenTrue : node.otherwise,
            dot,
            dollar,
          );
          break;
        case 'range': {
          const list = this.evaluate(node.over, dot, dollar);
          if (list === null || list === undefined) break;
          if (!Array.isArray(list)) throw new UnsupportedTemplate(`range over a non-list ${JSON.stringify(list)}`);
          for (const item of list) out += this.render(node.body, item, dollar);
          break;
        }
      }
    }
    return out;
  }

  private operand(op: Operand, dot: unknown, dollar: unknown): unknown {
    if (op.kind !== 'field') return op.value;
    let value = op.root === 'dot' ? dot : dollar;
    for (const key of op.path) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
        throw new UnsupportedTemplate(`no value at ${op.root === 'dot' ? '' : '$'}.${op.path.join('.')}`);
      }
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }

  private evaluate(p: Pipeline, dot: unknown, dollar: unknown): unknown {
    let value: unknown;
    p.forEach((command, i) => {
      if ('operand' in command) {
        value = this.operand(command.operand, dot, dollar);
        return;
      }
      const args = command.args.map((a) => this.operand(a, dot, dollar));
      if (i > 0) args.push(value);
      value = this.call(command.fn, args);
    });
    return value;
  }

  private call(fn: string, args: unknown[]): unknown {
    const [a, b] = args;
    switch (fn) {
      case 'include': {
        const body = this.defines.get(String(a));
        if (!body) throw new UnsupportedTemplate(`include of undefined template ${String(a)}`);
        return this.render(body, b, b);
      }
      case 'toYaml':
        // Helm: sigs.k8s.io/yaml (keys sorted), the final newline removed.
        return stringify(a, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '');
      case 'indent':
      case 'nindent': {
        if (typeof a !== 'number' || typeof b !== 'string')
          throw new UnsupportedTemplate(`${fn} needs a number and a string`);
        const pad = ' '.repeat(a);
        const indented = pad + b.replaceAll('\n', `\n${pad}`);
        return fn === 'nindent' ? `\n${indented}` : indented;
      }
      case 'quote': {
        const s = print(a, 'quote');
        if (/[^\x20-\x7e]/.test(s)) throw new UnsupportedTemplate(`quote of a string outside printable ASCII: ${s}`);
        return JSON.stringify(s);
      }
      case 'default':
        return truthy(b) ? b : a;
      case 'join':
        if (typeof a !== 'string' || !Array.isArray(b))
          throw new UnsupportedTemplate('join needs a separator and a list');
        return b.map((x) => print(x, 'join')).join(a);
      case 'not':
        return !truthy(a);
      default:
        throw new UnsupportedTemplate(`unsupported function ${fn}`);
    }
  }
}

export interface RenderedChart {
  /** Rendered text of every manifest template, by path under templates/ (files whose name starts with _ excluded). */
  manifests: Map<string, string>;
  notes: string;
}

async function templateFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Renders charts/<chart>/templates as `helm template` would for these values (already merged over the defaults). */
export async function renderChart(chartDir: string, context: TemplateContext): Promise<RenderedChart> {
  const templatesDir = join(chartDir, 'templates');
  const parsed = new Map<string, Parsed>();
  for (const file of await templateFiles(templatesDir)) {
    const name = relative(templatesDir, file);
    if (!/\.(yaml|tpl|txt)$/.test(name)) throw new UnsupportedTemplate(`unexpected file templates/${name}`);
    parsed.set(name, parse(await readFile(file, 'utf8'), `templates/${name}`));
  }
  const defines = new Map<string, Node[]>();
  for (const p of parsed.values()) for (const [k, v] of p.defines) defines.set(k, v);
  const renderer = new Renderer(defines);
  const manifests = new Map<string, string>();
  let notes = '';
  for (const [name, p] of parsed) {
    const base = name.split('/').pop() as string;
    if (base.startsWith('_')) continue;
    const text = renderer.render(p.nodes, context, context);
    if (name === 'NOTES.txt') notes = text;
    else manifests.set(name, text);
  }
  return { manifests, notes };
}

/** Renders one template source (for tests of this renderer). */
export function renderTemplate(source: string, dot: unknown, defines = ''): string {
  const lib = parse(defines, 'defines');
  const main = parse(source, 'template');
  return new Renderer(new Map([...lib.defines, ...main.defines])).render(main.nodes, dot, dot);
}
