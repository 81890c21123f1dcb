#!/usr/bin/env bash
# Install the Debian packages the test suite needs (PostgreSQL server binaries
# for the private test server, tj3 for the TaskJuggler tests, chromium for the
# headless browser test of the HTML schedule report), only when missing,
# so `make test` works on a fresh machine and costs nothing on a ready one.
set -euo pipefail

have_postgres() {
    local initdb
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$initdb" ]] && return 0
    done
    command -v initdb >/dev/null 2>&1
}

missing=()
have_postgres || missing+=(postgresql)
command -v tj3 >/dev/null 2>&1 || missing+=(tj3)
have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}
have_chromium || missing+=(chromium)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system deps: postgresql, tj3 and chromium already present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "system deps: missing ${missing[*]}; not root and no sudo." >&2
    echo "Install them yourself: apt-get install ${missing[*]}" >&2
    exit 1
fi

# Wait for a concurrent apt/dpkg run rather than failing on its lock.
apt=(apt-get -qq -o DPkg::Lock::Timeout=600)
# A failed update (e.g. offline) may still leave usable package lists.
${sudo[@]+"${sudo[@]}"} "${apt[@]}" update >/dev/null ||
    echo "system deps: apt-get update failed; trying the install anyway" >&2
${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive \
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
echo "system deps: installed ${missing[*]}"
