package match

import (
	"container/heap"
	"sync"
	"time"
)

// Index holds the open jobs in memory, packed for a linear scan. It is
// refreshed whole from the database periodically and one job at a time on
// job events; readers never wait for a scan to finish.
type Index struct {
	mu       sync.RWMutex
	entries  []entry
	jobs     []Job
	pos      map[int64]int
	loadedAt time.Time
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{pos: map[int64]int{}} }

// Replace swaps the whole content for jobs (jobs that are not open are left out).
func (x *Index) Replace(jobs []Job, at time.Time) {
	entries := make([]entry, 0, len(jobs))
	kept := make([]Job, 0, len(jobs))
	pos := make(map[int64]int, len(jobs))
	for _, j := range jobs {
		if !j.Open {
			continue
		}
		pos[j.ID] = len(kept)
		kept = append(kept, j)
		entries = append(entries, pack(j))
	}
	x.mu.Lock()
	x.entries, x.jobs, x.pos, x.loadedAt = entries, kept, pos, at
	x.mu.Unlock()
}

// Upsert adds or updates one job; a job that is no longer open is removed.
func (x *Index) Upsert(j Job) {
	if !j.Open {
		x.Remove(j.ID)
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[j.ID]; ok {
		x.jobs[i], x.entries[i] = j, pack(j)
		return
	}
	x.pos[j.ID] = len(x.jobs)
	x.jobs = append(x.jobs, j)
	x.entries = append(x.entries, pack(j))
}

// Remove drops a job (swap with the last).
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[id]
	if !ok {
		return
	}
	last := len(x.jobs) - 1
	if i != last {
		x.jobs[i], x.entries[i] = x.jobs[last], x.entries[last]
		x.pos[x.jobs[i].ID] = i
	}
	x.jobs, x.entries = x.jobs[:last], x.entries[:last]
	delete(x.pos, id)
}

// Len is the number of jobs held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.jobs)
}

// LoadedAt is when Replace last ran (zero: never).
func (x *Index) LoadedAt() time.Time {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.loadedAt
}

// Job returns a held job.
func (x *Index) Job(id int64) (Job, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if i, ok := x.pos[id]; ok {
		return x.jobs[i], true
	}
	return Job{}, false
}

// Search returns the best jobs for a worker, best first: every job passing
// the hard limits is scored, the top opt.N kept in a heap, and only those get
// their reasons written out.
func (x *Index) Search(p Profile, now time.Time, opt Options, name Namer) []Match {
	n := opt.N
	if n <= 0 {
		n = 10
	}
	w := prepare(p, now)
	unix := now.Unix()
	h := make(topHeap, 0, n+1)
	x.mu.RLock()
	for i := range x.entries {
		e := &x.entries[i]
		if !opt.Wide && e.prov != w.prov && e.prov != w.destProv && !w.partner(e.prov) {
			continue
		}
		pts, bits, ok := w.score(e, unix)
		if !ok || pts < opt.MinScore {
			continue
		}
		if len(h) == n && !better(pts, e.id, h[0].score, h[0].id) {
			continue
		}
		if opt.Exclude != nil && opt.Exclude[e.id] {
			continue
		}
		heap.Push(&h, hit{score: pts, bits: bits, id: e.id, i: i})
		if len(h) > n {
			heap.Pop(&h)
		}
	}
	out := make([]Match, len(h))
	for k := len(h) - 1; k >= 0; k-- {
		top := heap.Pop(&h).(hit)
		out[k] = Match{JobID: top.id, Score: top.score, Reasons: explain(p, x.jobs[top.i], top.bits, name)}
	}
	x.mu.RUnlock()
	return out
}

func (w *worker) partner(prov uint16) bool {
	for _, p := range w.partners {
		if p == prov {
			return true
		}
	}
	return false
}

// better orders matches: higher score, then the newer job (larger id).
func better(s1 int, id1 int64, s2 int, id2 int64) bool {
	if s1 != s2 {
		return s1 > s2
	}
	return id1 > id2
}

type hit struct {
	score int
	bits  uint32
	id    int64
	i     int
}

// topHeap is a min-heap: the worst kept match is at the root.
type topHeap []hit

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(a, b int) bool { return better(h[b].score, h[b].id, h[a].score, h[a].id) }
func (h topHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *topHeap) Push(v any)        { *h = append(*h, v.(hit)) }
func (h *topHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
