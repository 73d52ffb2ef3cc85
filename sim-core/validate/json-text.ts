// JSON text: a small strict scanner that finds the first syntax error in JSON text and says what
// it expected (JSON.parse's own messages name no line), and the line and column of an offset.

/** Line and column (both from 1) of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Finds the first syntax error in JSON text (a small strict scanner), or null when it is valid. */
export function findJsonError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const n = text.length;
  const show = (ch: string | undefined): string =>
    ch === undefined
      ? 'end of file'
      : ch === '\n'
        ? 'a line break'
        : ch === '"'
          ? 'a double quote (a missing comma before it?)'
          : `"${ch}"`;
  const ws = () => {
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
        i++;
      if (text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))
        throw new JsonSyntaxError('comments are not allowed in JSON', i);
      return;
    }
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`expected ${what}, found ${show(text[i])}`, i);
  };
  const str = () => {
    if (text[i] !== '"') fail('a string in double quotes');
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            throw new JsonSyntaxError('bad \\u escape in string', i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new JsonSyntaxError(`bad escape \\${e ?? ''} in string`, i);
      } else if (c === '\n' || c.charCodeAt(0) < 0x20) {
        throw new JsonSyntaxError('unterminated string (line break inside a string)', i);
      } else i++;
    }
    throw new JsonSyntaxError('unterminated string', i);
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('a value');
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 500) throw new JsonSyntaxError('nested too deeply', i);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === '}') throw new JsonSyntaxError('trailing comma before "}"', i);
        if (text[i] !== '"') fail('a field name in double quotes');
        str();
        ws();
        if (text[i] !== ':') fail('":" after the field name');
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') throw new JsonSyntaxError('trailing comma before "]"', i);
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (c === '"') return str();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    if (c === "'") throw new JsonSyntaxError('strings need double quotes, not single quotes', i);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    fail('a value');
  };
  try {
    let start = 0;
    if (text.charCodeAt(0) === 0xfeff) start = 1;
    i = start;
    value(0);
    ws();
    if (i < n) fail('end of file after the value');
    return null;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { offset: e.offset, message: e.message };
    throw e;
  }
}
