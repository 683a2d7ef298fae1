#!/usr/bin/env bash
# Sets up everything ChildFirst needs on a Debian machine, idempotently.
#   scripts/setup.sh app    — Debian packages for the app (gettext, CJK fonts), .venv with the app
#   scripts/setup.sh test   — the above plus chromium for browser tests and the test tools
# Runs apt-get only for packages that are missing (as root, or through sudo when available).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-app}"
# Typst (a Python package) renders PDFs; the Noto CJK fonts (fontconfig finds them) are embedded in every one.
debs=(gettext fonts-noto-cjk fontconfig)
# poppler-utils turns PDF pages into PNG for the report tests.
[ "$what" = test ] && debs+=(chromium poppler-utils)

missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
extras=""
[ "$what" = test ] && extras="[test]"
# The stamp names the bounds and the lock: a changed pyproject.toml or constraints.txt reinstalls.
stamp=".venv/.installed-$what-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages (log: var/pip-install.log)"
  mkdir -p var
  if ! { .venv/bin/pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/pip install --disable-pip-version-check -c constraints.txt -e ".$extras"; } > var/pip-install.log 2>&1; then
    tail -40 var/pip-install.log
    echo "pip install failed; the whole log is in var/pip-install.log" >&2
    exit 1
  fi
  touch "$stamp"
fi
# Translations are compiled from the .po sources kept in git.
.venv/bin/childfirst compilemessages --ignore=.venv --ignore=node_modules -v 0
