#!/usr/bin/env bash
# Reliability of every file flatmin writes (issue 29, "nothing lost, nothing half-written";
# docs/reliability.md has the table). Classes, each input counted:
#   out-special   --out (instance, train, train --export, reproduce files and folder, pictures,
#                 --cell-times) naming a FIFO, a symbolic link, a directory, a socket, a character
#                 device (mknod, root only): refused with exit 2 naming the path and what it is,
#                 the special file untouched (a link's target too), no temporary file left.
#   full-disk     (root, a small tmpfs) instance, train --out, reproduce numbers and pictures on a
#                 full file system: exit 1, "cannot write FILE: No space left on device" (the
#                 pictures: gnuplot's cut-off output is detected), nothing under a final name that
#                 is not complete, no temporary file.
#   kill          SIGTERM and SIGINT at random moments (and as the temporary file appears) during
#                 `instance --out`, and during `reproduce` (also to the whole process group while
#                 gnuplot draws): no temporary file left, every file present is complete (equal
#                 to an uninterrupted run's).
#   merge-strays  temporary files left by a SIGKILLed run do not disturb --merge.
#   merge-foreign a foreign file among the shards is named, exit 2 (never exit 3 or a hang).
# usage: ci/test_reliability.sh path/to/flatmin   (FLATMIN_RELIABILITY_SEED=N repeats the moments)
set -uo pipefail
set -m  # each background run is its own process group (kill -- -PGID), SIGINT not ignored
bin=$(readlink -f "$1")
work=$(mktemp -d /tmp/flatmin-reliability.XXXXXX)
mnt=""
cleanup() {
  if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # an interrupted test still unmounts its tmpfs (the EXIT trap)
seed=${FLATMIN_RELIABILITY_SEED:-$$}
RANDOM=$seed
echo "reliability: random moments from seed $seed (FLATMIN_RELIABILITY_SEED=$seed repeats them)"
fail=0
declare -A tried=() handled=()
classes=()
skips=()
result() {  # result <class> <0: handled | else: not> <what>
  if [ -z "${tried[$1]+x}" ]; then classes+=("$1"); fi
  tried[$1]=$((${tried[$1]:-0} + 1))
  if [ "$2" = 0 ]; then
    handled[$1]=$((${handled[$1]:-0} + 1))
    echo "ok: $1: $3"
  else
    echo "FAIL: $1: $3"
    sed 's/^/  | /' "$work/err" 2>/dev/null | head -5
    fail=1
  fi
}
skip() {
  echo "skip: $1: $2"
  skips+=("$1: $2")
}
run() {  # run <cmd...>: flatmin's status in $st, its stderr in $work/err (60 s at most)
  timeout 60 "$bin" "$@" >"$work/out" 2>"$work/err"
  st=$?
}
temps() { ls -A "$1" 2>/dev/null | grep '\.tmp\.'; }  # temporary files of any flatmin version
no_temps() { ! temps "$1" >/dev/null; }
said() { grep -qF -- "$1" "$work/err"; }

# ---- out-special ----------------------------------------------------------------------------
sp=$work/special
mkdir -p "$sp"
post=""  # a further check of the next refused/full_disk input (a command), then reset
refused() {  # refused <what> <path> <kind> <test op> <flatmin args...>
  local what=$1 path=$2 kind=$3 op=$4
  shift 4
  run "$@"
  local ok=0
  if [ -n "$post" ]; then eval "$post" || ok=1; fi
  post=""
  [ "$st" = 2 ] || ok=1
  said "$path" && said "it is $kind" || ok=1
  test "$op" "$path" || ok=1
  no_temps "$(dirname "$path")" || ok=1
  result out-special $ok "$what: exit $st, $(head -c 160 "$work/err")"
}
inst=(instance gaussian --d 4 --m 12 --rank 1)
train=(train --steps 20 --step-size 0.01 --log-every 10)
mkfifo "$sp/fifo"
refused "instance --out FIFO" "$sp/fifo" "a FIFO" -p "${inst[@]}" --out "$sp/fifo"
echo original >"$sp/target"
ln -s "$sp/target" "$sp/link"
post='echo original | cmp -s - "$sp/target"'  # the link's target is untouched
refused "instance --out symbolic link" "$sp/link" "a symbolic link" -L "${inst[@]}" --out "$sp/link"
mkdir "$sp/dir"
refused "instance --out directory" "$sp/dir" "a directory" -d "${inst[@]}" --out "$sp/dir"
if python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$sp/sock" 2>/dev/null; then
  refused "instance --out socket" "$sp/sock" "a socket" -S "${inst[@]}" --out "$sp/sock"
else
  skip out-special "socket: python3 could not bind a Unix socket"
fi
if [ "$(id -u)" = 0 ] && mknod "$sp/null" c 1 3 2>/dev/null; then  # a private /dev/null
  refused "instance --out character device" "$sp/null" "a character device" -c "${inst[@]}" --out "$sp/null"
  refused "train --out character device" "$sp/null" "a character device" -c "${train[@]}" --out "$sp/null"
else
  skip out-special "character device: needs root and mknod (uid $(id -u))"
fi
refused "train --out FIFO" "$sp/fifo" "a FIFO" -p "${train[@]}" --out "$sp/fifo"
mkdir "$sp/export"
mkfifo "$sp/export/log.csv"
post='[ "$(ls -A "$sp/export")" = log.csv ]'  # none of the set was written
refused "train --export: log.csv a FIFO" "$sp/export/log.csv" "a FIFO" -p "${train[@]}" --export "$sp/export"
mkdir "$sp/r1"
mkfifo "$sp/r1/A-fig1.csv"
refused "reproduce: A-fig1.csv a FIFO" "$sp/r1/A-fig1.csv" "a FIFO" -p reproduce A-fig1 --no-draw --out "$sp/r1"
mkdir "$sp/r2"
ln -s "$sp/target" "$sp/r2/A-fig1.png"
post='echo original | cmp -s - "$sp/target"'  # gnuplot did not write through the link
refused "reproduce: A-fig1.png a symbolic link (gnuplot's output)" "$sp/r2/A-fig1.png" "a symbolic link" -L reproduce A-fig1 --out "$sp/r2"
refused "reproduce --out FIFO (not a folder)" "$sp/fifo" "a FIFO" -p reproduce A-fig1 --no-draw --out "$sp/fifo"
refused "reproduce --cell-times FIFO" "$sp/fifo" "a FIFO" -p reproduce A-fig1 --no-draw --out "$sp/r3" --cell-times "$sp/fifo"

# ---- full disk (root: a small tmpfs) --------------------------------------------------------
big=(instance gaussian --d 20 --m 400 --rank 1)  # 160,000 numbers, ~3.7 MB of text
fill() {  # fill <bytes to leave free>: a filler file takes the rest of $mnt
  rm -f "$mnt/filler"
  local avail
  avail=$(df -B4096 --output=avail "$mnt" | tail -1)
  local pages=$((avail - $1 / 4096))
  [ "$pages" -gt 0 ] && dd if=/dev/zero of="$mnt/filler" bs=4096 count="$pages" 2>/dev/null
  sync
}
pages_of() {  # pages_of <folder>: 4 KiB pages its files take on a tmpfs
  local n=0 s
  for s in $(stat -c %s "$1"/*); do n=$((n + (s + 4095) / 4096)); done
  echo $n
}
full_disk() {  # full_disk <what> <message> <final names that must not appear...> (after run)
  local what=$1 msg=$2 ok=0
  shift 2
  [ "$st" = 1 ] || ok=1
  said "$msg" || ok=1
  for f in "$@"; do [ ! -e "$f" ] || ok=1; done
  if [ -n "$post" ]; then eval "$post" || ok=1; fi
  post=""
  no_temps "$mnt" || ok=1
  [ -z "$(find "$mnt" -name '.*.tmp.*')" ] || ok=1
  result full-disk $ok "$what: exit $st, $(head -c 200 "$work/err")"
}
mnt=$work/mnt
mkdir -p "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
  run "${big[@]}" --out "$mnt/g.txt"
  nospace="No space left on device"
  post='said "cannot write $mnt/g.txt: $nospace"'
  full_disk "instance --out on a 512 KiB tmpfs" "$nospace" "$mnt/g.txt"
  run instance gaussian --d 3 --m 4 --rank 1 --out "$mnt/g.txt"
  cp "$mnt/g.txt" "$work/small.txt"
  run "${big[@]}" --out "$mnt/g.txt"
  post='cmp -s "$mnt/g.txt" "$work/small.txt"'  # the old file is kept
  full_disk "instance --out over an existing file" "$nospace"
  rm -f "$mnt/g.txt"
  fill 0
  run "${train[@]}" --out "$mnt/log.csv"
  full_disk "train --out on a full tmpfs" "$nospace" "$mnt/log.csv"
  run reproduce A-noise --no-draw --out "$mnt/r"
  full_disk "reproduce A-noise --no-draw on a full tmpfs" "$nospace" "$mnt/r/A-noise.csv" \
    "$mnt/r/A-noise.caption.txt"
  # Room for the numbers but not for the pictures: gnuplot's cut-off PNG/SVG must not appear.
  rm -rf "$mnt/r" "$mnt/filler"
  run reproduce A-fig1 --no-draw --out "$work/fig1-numbers"
  fill $((($(pages_of "$work/fig1-numbers") + 1) * 4096))
  run reproduce A-fig1 --out "$mnt/p"
  numbers_kept() {  # the numbers, written before the pictures, are complete
    local f
    for f in "$work"/fig1-numbers/*; do cmp -s "$f" "$mnt/p/${f##*/}" || return 1; done
  }
  post=numbers_kept
  full_disk "reproduce A-fig1: room for the numbers, not the pictures" \
    "gnuplot did not write a complete A-fig1" "$mnt/p/A-fig1.png" "$mnt/p/A-fig1.svg"
  umount "$mnt"
  mnt=""
else
  skip full-disk "needs root and mount -t tmpfs (uid $(id -u))"
fi

# ---- kills ------------------------------------------------------------------------------------
# A background run, a signal at a moment, then: nothing temporary, every file equal to the
# reference (a run that finished before the signal counts as handled too).
killed_ok() {  # killed_ok <what> <folder> <reference folder> <status> <signal number> [hit]
  local ok=0 f
  # hit: the moment was caught while flatmin ran, so the signal must have ended it
  if [ "${6:-}" = hit ]; then [ "$4" = $((128 + $5)) ] || ok=1; else [ "$4" = 0 ] || [ "$4" = $((128 + $5)) ] || ok=1; fi
  no_temps "$2" || ok=1
  for f in $(ls -A "$2" 2>/dev/null); do cmp -s "$2/$f" "$3/$f" || { echo "  | incomplete or foreign: $f"; ok=1; }; done
  result kill $ok "$1: exit $4, $(ls -A "$2" 2>/dev/null | wc -l) files present"
}
pick() {  # pick <max ms>: a random delay in seconds
  local r=$(((RANDOM * 32768 + RANDOM) % $1))
  printf '%d.%03d' $((r / 1000)) $((r % 1000))
}
poll() {  # poll <pid> <cmd...>: until cmd succeeds (0) or pid ends (1)
  local pid=$1
  shift
  while kill -0 "$pid" 2>/dev/null; do
    "$@" && return 0
    sleep 0.005
  done
  return 1
}
ginst=(instance gaussian --d 60 --m 1000 --rank 2 --seed 5)  # 3.6e6 numbers, ~84 MB
mkdir -p "$work/iref"
t0=$(date +%s%N)
"$bin" "${ginst[@]}" --out "$work/iref/g.txt" >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
echo "kill: instance takes $ms ms uninterrupted"
# A shell started with SIGINT ignored (a background job) passes that on and flatmin, by design,
# leaves an ignored SIGINT ignored: then only SIGTERM is tried.
sigs=(TERM INT)
if [ $((0x$(awk '/^SigIgn/ {print $2}' /proc/$$/status) & 2)) != 0 ]; then
  sigs=(TERM)
  skip kill "SIGINT: this shell was started with SIGINT ignored"
fi
for sig in "${sigs[@]}"; do
  num=$(kill -l "$sig")
  for k in 1 2 3 4 5; do
    d=$work/k-$sig-$k
    mkdir -p "$d"
    "$bin" "${ginst[@]}" --out "$d/g.txt" >/dev/null 2>"$work/err" &
    pid=$!
    hit=""
    if [ $((k % 2)) = 0 ]; then
      poll "$pid" temps "$d" >/dev/null && hit=hit
      when="as the temporary file appeared"
    else
      delay=$(pick "$ms")
      sleep "$delay"
      when="after $delay s"
    fi
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null  # (and no job-control notice)
    killed_ok "instance --out, SIG$sig $when" "$d" "$work/iref" $? "$num" $hit
    rm -rf "$d"
  done
done
fig=A-fig2
mkdir -p "$work/rref"
t0=$(date +%s%N)
"$bin" reproduce $fig --threads 2 --out "$work/rref" >/dev/null 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
echo "kill: reproduce $fig takes $ms ms uninterrupted"
drawing() { pgrep -P "$1" -x gnuplot >/dev/null; }
for sig in "${sigs[@]}"; do
  num=$(kill -l "$sig")
  for k in 1 2 3 4 5; do
    d=$work/r-$sig-$k
    "$bin" reproduce $fig --threads 2 --out "$d" >/dev/null 2>"$work/err" &
    pid=$!
    hit=""
    if [ "$k" -le 2 ]; then  # the whole process group (flatmin and gnuplot) while drawing
      poll "$pid" drawing "$pid" && hit=hit
      kill -s "$sig" -- "-$pid" 2>/dev/null
      when="to the process group while gnuplot draws"
    else
      delay=$(pick "$ms")
      sleep "$delay"
      kill -s "$sig" "$pid" 2>/dev/null
      when="after $delay s"
    fi
    wait "$pid" 2>/dev/null  # (and no job-control notice)
    killed_ok "reproduce $fig, SIG$sig $when" "$d" "$work/rref" $? "$num" $hit
    rm -rf "$d"
  done
done

# ---- merge: stray temporary files and foreign files --------------------------------------------
m=$work/merge
"$bin" reproduce A-noise --no-draw --out "$work/mref" >/dev/null 2>&1
for i in 1 2; do "$bin" reproduce A-noise --shard "$i/2" --out "$m" >/dev/null 2>&1; done
stray=(".A-noise.quick.shard-1-of-2.tmp.4242.0" ".A-noise.quick.shard-2-of-3.tmp.4242.1"
       ".A-noise.csv.tmp.4242.2")
for s in "${stray[@]}"; do
  head -c 100 /dev/urandom >"$m/$s"
  run reproduce A-noise --merge --no-draw --out "$m"
  ok=0
  [ "$st" = 0 ] && cmp -s "$m/A-noise.csv" "$work/mref/A-noise.csv" || ok=1
  result merge-strays $ok "--merge beside $s: exit $st"
  rm -f "$m/$s" "$m/A-noise.csv"
done
foreign() {  # foreign <file name> (made by the caller): merge must name it, exit 2
  run reproduce A-noise --merge --no-draw --out "$m"
  local ok=0
  [ "$st" = 2 ] && said "$m/$1" || ok=1
  result merge-foreign $ok "--merge beside $1: exit $st, $(head -c 160 "$work/err")"
}
for f in A-noise.quick.shard-1-of- A-noise.quick.shard-x-of-2 A-noise.quick.shard-1-of-2.bak \
         A-noise.quick.shard-3-of-2 A-noise.quick.shard-1-of-2.tmp.4242; do
  echo junk >"$m/$f"
  foreign "$f"
  rm -f "$m/$f"
done
mv "$m/A-noise.quick.shard-2-of-2" "$work/shard2"
mkfifo "$m/A-noise.quick.shard-2-of-2"
foreign A-noise.quick.shard-2-of-2  # a FIFO: reading it would block for ever

# ---- summary ----------------------------------------------------------------------------------
line="reliability:"
for c in "${classes[@]}"; do line+=" $c ${handled[$c]:-0}/${tried[$c]} handled,"; done
echo "${line%,}"
for s in "${skips[@]}"; do echo "reliability: skipped $s"; done
exit $fail
