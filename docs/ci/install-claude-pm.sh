#!/bin/sh
# Installs the claude-pm CLI from the packaged extension, as every pipeline in this folder does.
# The .vsix is what `npm run package` writes to dist/claude-pm.vsix (and what you install in the editor);
# keep the one your team uses at tools/claude-pm.vsix in the project, or pass its path as the first argument.
# The CLI needs Node.js 20 or later and nothing else: dist/ holds it bundled.
set -eu
vsix="${1:-tools/claude-pm.vsix}"
prefix="${CLAUDE_PM_HOME:-$HOME/.claude-pm-cli}"
rm -rf "$prefix"
mkdir -p "$prefix/bin"
unzip -q -o "$vsix" 'extension/dist/*' 'extension/package.json' -d "$prefix"
printf '#!/bin/sh\nexec node "%s/extension/dist/cli.js" "$@"\n' "$prefix" > "$prefix/bin/claude-pm"
chmod +x "$prefix/bin/claude-pm"
echo "$prefix/bin"
