#!/usr/bin/env bash
# Refresh the translations: extract msgids, translate them, compile the .mo files.
#
#   1. makemessages  merges every gettext/{% translate %} string into locale/{zh_Hans,zh_Hant,en}/LC_MESSAGES/django.po
#   2. translate.py  fills them: zh_Hans from scripts/zh_hans_terms.py, zh_Hant derived with OpenCC, en = msgid;
#                    exits 1 listing every msgid that still needs a zh_Hans translation (add it, run again)
#   3. compilemessages  writes the .mo files, which are committed (a fresh machine may have no gettext)
#
# Needs gettext's xgettext/msgmerge/msgfmt (apt-get install gettext) and the dev extras (opencc, polib).
# Usage: scripts/i18n.sh        (from anywhere; runs in the project root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

for tool in xgettext msgmerge msgfmt; do
  command -v "$tool" >/dev/null 2>&1 || { echo "i18n.sh: $tool is missing (apt-get install gettext)" >&2; exit 1; }
done

# build/ and *.egg-info hold stale copies of the source left by pip/setuptools: scanning them would add
# their references (and any msgid since removed from the code) to the catalogues.
# One run at a time (several people or helpers may refresh the catalogues on one checkout).
exec 9>"${TMPDIR:-/tmp}/salesflow-i18n.lock"
flock 9

"$PY" manage.py makemessages -l zh_Hans -l zh_Hant -l en \
  --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --ignore=build --ignore='*.egg-info' \
  --ignore=node_modules --ignore=test-results
# Compile even when some msgids still lack a translation (they show in English), then report the failure.
status=0
"$PY" scripts/translate.py || status=$?
"$PY" manage.py compilemessages --ignore=.venv --ignore=build
exit "$status"
