// Text from workspace files and agent output shown in a terminal. A ticket title holding `ESC ]0;…` can retitle
// the terminal, `ESC [2J` clear it and OSC 8 plant links; carriage returns and backspaces overwrite what was
// printed. Escape sequences are removed and every other control character is shown as a visible escape.

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other string controls (DCS, SOS, PM, APC), two-byte
// escapes, and the 8-bit forms of CSI (0x9b) and OSC (0x9d).
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Multi-line text (command output, reports): newlines and tabs stay, escape sequences go, controls become visible. */
export function terminalText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, visible);
}

/** One field on one line (a title, an id): like terminalText, and newlines and tabs become visible too. */
export function terminalLine(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_OR_NEWLINE, (c) => (c === '\n' ? '\\n' : c === '\t' ? ' ' : visible(c)));
}
