#!/usr/bin/env bash
# The repository keeps its own copy of the support policies' text, the vectors'
# contract and the n10000 bundle under docs/policies/ (the bundle's csv files
# gzipped). When the shared folder beside the repository exists, this compares
# the copy with it file by file, after decompressing, so that an update there is
# noticed; without it, it says it skipped.
#
#   bash scripts/check-shared-policy.sh            # compare (CI)
#   bash scripts/check-shared-policy.sh --update   # copy ../shared/policy in
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/policy
ours=docs/policies

if [ ! -d "$shared" ]; then
  echo "skipped: $shared is absent; the repository's copy in $ours is used as it is"
  exit 0
fi

# Every shared file, relative to $shared; csv files are kept gzipped here.
files=$(cd "$shared" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
copy_of() { case "$1" in *.csv) echo "$ours/$1.gz" ;; *) echo "$ours/$1" ;; esac; }

if [ "${1:-}" = --update ]; then
  rm -rf "$ours/vectors"
  for f in $files; do
    mkdir -p "$(dirname "$ours/$f")"
    case "$f" in
      # -n: no name or time stamp, so the same text gives the same bytes.
      *.csv) gzip -9n -c "$shared/$f" > "$(copy_of "$f")" ;;
      *) cp "$shared/$f" "$ours/$f" && chmod 644 "$ours/$f" ;;
    esac
  done
  echo "copied $shared into $ours"
  exit 0
fi

differ=()
for f in $files; do
  copy=$(copy_of "$f")
  if [ ! -f "$copy" ]; then
    differ+=("$copy is missing (new in $shared/$f)")
  elif [[ "$copy" == *.gz ]]; then
    gzip -dc "$copy" | cmp -s - "$shared/$f" || differ+=("$copy differs from $shared/$f")
  else
    cmp -s "$copy" "$shared/$f" || differ+=("$copy differs from $shared/$f")
  fi
done
# A file of ours the shared folder no longer has.
while IFS= read -r copy; do
  f=${copy#"$ours/"}
  [ -f "$shared/${f%.gz}" ] || differ+=("$copy has no counterpart in $shared")
done < <(find "$ours/vectors" -type f | LC_ALL=C sort)

if [ ${#differ[@]} -gt 0 ]; then
  echo "The repository's copy of the support policies differs from $shared:"
  printf '  %s\n' "${differ[@]}"
  echo "If the change there is intended, run: bash scripts/check-shared-policy.sh --update"
  echo "then check the tests (the engine must still reproduce the vectors) and commit."
  exit 1
fi
echo "$ours is the same as $shared ($(echo "$files" | wc -l) files)"
