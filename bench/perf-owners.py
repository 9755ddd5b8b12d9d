#!/usr/bin/env python3
"""Where a flow's server CPU goes, from a `perf` recording of LoadBenchmark (docs/benchmarks.md).

    bench/profile.sh                                   # records and then runs this
    bench/perf-owners.py perf.txt load.log [TOP]       # perf.txt: perf script -F comm,tid,time,ip,sym

Counts CPU-clock samples in the measured flow rounds only (the windows in which the client threads
`bench-flows <store>-N` run), per 1,000 flows of those rounds (the flow counts come from load.log):
  * per thread group: each Jetty pool (Portcullis's server and the ceiling's have one each; the
    ceiling's is the one whose stacks show `Ceiling`), the client threads, GC, the JIT compiler;
  * per owner, for each pool: the first frame from the leaf up that belongs to Portcullis, Jetty,
    Caffeine, Micrometer or the Servlet API; JDK and kernel frames count for the code that called
    them ("kernel/JVM only": no such frame, e.g. the selector's epoll and the JVM's own threads);
  * the TOP frames (default 30) that own samples of Portcullis's pool outside Jetty.
"""
import collections
import re
import sys

OWNERS = ('io.portcullis', 'org.eclipse.jetty', 'com.github.benmanes', 'io.micrometer', 'jakarta.servlet')
HEADER = re.compile(r'^(.*?)\s+(\d+)\s+([\d.]+):')


def frame_name(line):
    """`7f5e... int a.b.C.m(args)` -> `a.b.C.m`; a kernel symbol as it is."""
    text = re.sub(r'\(.*\)', '', line.strip())
    parts = text.split()
    return parts[-1] if parts else text


def read_samples(path):
    samples = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for block in f.read().split('\n\n'):
            lines = block.strip('\n').split('\n')
            m = HEADER.match(lines[0]) if lines and lines[0] else None
            if m:
                samples.append((m.group(1), int(m.group(2)), float(m.group(3)),
                                [frame_name(l) for l in lines[1:]]))
    return samples


def flow_rounds(path):
    """The measured flow rounds of the log, in order: (store, flows)."""
    rounds = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = re.match(r'\s+flows (\S+)\s+(\d+)\s+(\d+)\s', line)
            if m:
                rounds.append((m.group(1), int(m.group(3))))
    return rounds


def windows(samples):
    """The time windows of the measured flow rounds, in order, from their client threads' samples.

    Each round starts its own client threads and joins them before the next round starts, so a
    round is a group of thread ids whose sampled times overlap; thread names cannot tell rounds
    apart (perf keeps 15 characters: `bench-flows mem` for both "memory" and "memory-nometrics").
    """
    spans = {}
    for comm, tid, t, _ in samples:
        if comm.startswith('bench-flows '):
            first, last, _ = spans.get(tid, (t, t, comm))
            spans[tid] = (min(first, t), max(last, t), comm)
    found = []
    for first, last, comm in sorted(spans.values()):
        if found and first <= found[-1][1]:
            found[-1][1] = max(found[-1][1], last)
        else:
            found.append([first, last, comm])
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    samples = read_samples(sys.argv[1])
    rounds = flow_rounds(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    ceiling_pools = {c.split('-')[0] for c, _, _, fr in samples
                     if c.startswith('qtp') and any('Ceiling' in f for f in fr)}

    def group(comm):
        if comm.startswith('qtp'):
            return 'ceiling pool' if comm.split('-')[0] in ceiling_pools else 'Portcullis pool'
        if comm.startswith('bench'):
            return 'clients'
        if comm.startswith(('GC ', 'G1 ')):
            return 'GC'
        if comm.startswith(('C1 ', 'C2 ')):
            return 'JIT compiler'
        return 'other JVM threads'

    spans = windows(samples)
    if len(spans) != len(rounds):
        sys.exit(f'perf-owners: {len(spans)} rounds of client threads in the recording, '
                 f'{len(rounds)} flow rounds in the log: was the whole run recorded?')
    flows = collections.Counter()
    for (start, end, comm), (store, count) in zip(spans, rounds):
        if not store.startswith(comm[len('bench-flows '):]):
            sys.exit(f'perf-owners: the recording\'s round of "{comm}" is the log\'s round of "{store}"')
        flows[store] += count
    by_store = collections.defaultdict(list)
    for comm, _, t, frames in samples:
        for (start, end, _), (store, _) in zip(spans, rounds):
            if start <= t <= end:
                by_store[store].append((group(comm), frames))
                break
    for store, rows in by_store.items():
        n = flows[store]
        per = lambda count: count * 1000.0 / n
        groups = collections.Counter(g for g, _ in rows)
        print(f'== flows {store}: {n} flows; samples per 1,000 flows by thread group')
        for g, c in groups.most_common():
            print(f'  {per(c):7.1f}  {g}')
        pool = 'ceiling pool' if store == 'ceiling' else 'Portcullis pool'
        owners = collections.Counter()
        owned = collections.Counter()
        for g, frames in rows:
            if g != pool:
                continue
            owner, first = 'kernel/JVM only', None
            for f in frames:
                match = [o for o in OWNERS if f.startswith(o)]
                if match:
                    owner, first = match[0], f
                    break
            owners[owner] += 1
            if owner not in ('org.eclipse.jetty', 'jakarta.servlet', 'kernel/JVM only'):
                owned[first] += 1
        print(f'  {pool} by owner:')
        for o, c in owners.most_common():
            print(f'  {per(c):7.1f}  {o}')
        if owned and top > 0:
            print(f'  {pool}: frames that own samples outside Jetty (with the JDK and kernel code they call)')
            for f, c in owned.most_common(top):
                print(f'  {per(c):7.2f}  {f}')


if __name__ == '__main__':
    main()
