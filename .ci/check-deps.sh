#!/usr/bin/env bash
# Dependency-direction rules of ARCHITECTURE.md, checked with `cargo tree`:
#   sgntk-gauss knows nothing of linear algebra, kernels or networks;
#   sgntk-kernel builds on sgntk-gauss only (not on the GP or the simulator);
#   sgntk-sgl builds on sgntk-gauss only (the simulator knows nothing of kernels or faer);
#   no library depends on criterion, proptest or insta (normal dependencies).
set -euo pipefail
fail=0
deps() { cargo tree --offline -q -p "$1" -e normal --prefix none 2>/dev/null | awk '{print $1}' | sort -u; }
forbid() { # crate, forbidden...
  local crate=$1; shift
  local d; d=$(deps "$crate")
  for f in "$@"; do
    if grep -qx "$f" <<<"$d"; then
      echo "dependency rule broken: $crate depends on $f"; fail=1
    fi
  done
}
forbid sgntk-gauss faer sgntk-kernel sgntk-gp sgntk-sgl rayon criterion proptest insta
forbid sgntk-kernel sgntk-gp sgntk-sgl criterion proptest insta
forbid sgntk-gp sgntk-gauss sgntk-kernel sgntk-sgl criterion proptest insta
forbid sgntk-sgl sgntk-kernel sgntk-gp criterion proptest insta
forbid sgntk criterion proptest insta
if [ "$fail" = 0 ]; then echo "dependency rules: ok"; fi
exit $fail
