// Command lines in deployment files: a small POSIX-shell word splitter ($VAR expansion, quotes, continuations) and a flag parser.

/** One shell word after quote removal and expansion; `unresolved` names what could not be expanded. */
export interface Word {
  text: string;
  unresolved: string[];
}

/** The simple commands of a script (split at newlines, `;`, `&`, `&&`, `||`, `|`, braces and parentheses). */
export function shellCommands(script: string, env: ReadonlyMap<string, string>): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let text = '';
  let unresolved: string[] = [];
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push({ text, unresolved });
    text = '';
    unresolved = [];
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  /** Expand a `$…` at i; returns the index after it. */
  const dollar = (i: number): number => {
    const c = script[i + 1];
    if (c === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < script.length; j++) {
        if (script[j] === '(') depth++;
        else if (script[j] === ')' && --depth === 0) break;
      }
      const sub = script.slice(i, j + 1);
      text += sub;
      unresolved.push(sub);
      return j + 1;
    }
    if (c === '{') {
      const close = script.indexOf('}', i + 2);
      const body = script.slice(i + 2, close < 0 ? script.length : close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?-(.*))?$/s.exec(body);
      const value = m ? (env.get(m[1]) ?? m[2]) : undefined;
      if (value !== undefined) text += value;
      else {
        text += `\${${body}}`;
        unresolved.push(m ? m[1] : body);
      }
      return close < 0 ? script.length : close + 1;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?!#@*$-])/.exec(script.slice(i + 1));
    if (!m) {
      text += '$';
      return i + 1;
    }
    const value = env.get(m[1]);
    if (value !== undefined) text += value;
    else {
      text += `$${m[1]}`;
      unresolved.push(m[1]);
    }
    return i + 1 + m[1].length;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (c === '\\' && script[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';' || c === '&' || c === '|' || ((c === '(' || c === ')' || c === '{' || c === '}') && !inWord)) {
      endCommand();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (c === "'") {
      inWord = true;
      const close = script.indexOf("'", i + 1);
      text += script.slice(i + 1, close < 0 ? script.length : close);
      i = close < 0 ? script.length : close + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && '"\\$`\n'.includes(script[i + 1] ?? '')) {
          if (script[i + 1] !== '\n') text += script[i + 1];
          i += 2;
        } else if (script[i] === '$') i = dollar(i);
        else text += script[i++];
      }
      i++;
    } else if (c === '\\') {
      inWord = true;
      text += script[i + 1] ?? '';
      i += 2;
    } else if (c === '$') {
      inWord = true;
      i = dollar(i);
    } else {
      inWord = true;
      text += c;
      i++;
    }
  }
  endCommand();
  return commands;
}

/** An argv entry: a flag (with its value when it takes one) or a positional word. */
export interface Arg {
  /** `--name` (or `-x`); undefined for a positional word. */
  flag?: string;
  value?: Word;
  /** The positional word itself. */
  word?: Word;
}

const looksLikeFlag = (t: string) => /^--?[A-Za-z]/.test(t);

/** Parse argv: `--flag=value`, `--flag value`, `--bool` (names in `booleans`, or followed by another flag). */
export function parseArgv(words: readonly Word[], booleans: ReadonlySet<string>): Arg[] {
  const out: Arg[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!looksLikeFlag(w.text)) {
      out.push({ word: w });
      continue;
    }
    const eq = w.text.indexOf('=');
    if (w.text.startsWith('--') && eq > 0) {
      out.push({ flag: w.text.slice(0, eq), value: { text: w.text.slice(eq + 1), unresolved: w.unresolved } });
      continue;
    }
    const next = words[i + 1];
    if (booleans.has(w.text) || next === undefined || looksLikeFlag(next.text)) out.push({ flag: w.text });
    else {
      out.push({ flag: w.text, value: next });
      i++;
    }
  }
  return out;
}

/** The words after `python -m <module>` (or after a `<module>` executable) in one of the commands, or undefined. */
export function moduleArgs(commands: readonly Word[][], module: string): Word[] | undefined {
  for (const words of commands) {
    const at = words.findIndex((w, k) => w.text === module && (words[k - 1]?.text === '-m' || k === 0));
    if (at >= 0) return words.slice(at + 1);
  }
  return undefined;
}

/** The simple commands of a container: `sh -c script` is split as a script; otherwise command + args is one command. */
export function containerCommands(command: readonly string[], args: readonly string[], env: ReadonlyMap<string, string>): Word[][] {
  const argv = [...command, ...args];
  const shell = argv.findIndex((a, k) => a === '-c' && k > 0 && /(^|\/)(ba|da|z)?sh$/.test(argv[k - 1]));
  if (shell >= 0 && argv[shell + 1] !== undefined) return shellCommands(argv[shell + 1], env);
  // exec-form arguments are not shell-split, but Kubernetes expands $(VAR) in them
  return [argv.map((a) => expandKubeVars(a, env))];
}

/** Kubernetes' $(VAR) expansion in command and args (unknown variables stay as written). */
export function expandKubeVars(a: string, env: ReadonlyMap<string, string>): Word {
  const unresolved: string[] = [];
  const text = a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => {
    const v = env.get(name);
    if (v === undefined) unresolved.push(name);
    return v ?? whole;
  });
  return { text, unresolved };
}
