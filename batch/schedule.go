package batch

import "sync"

// How a batch runs its workers.
//
// Each of the Options.Jobs workers takes a unit of work from the source
// (source.go), runs it to the end — an entity is decoded, compiled,
// encoded, signed and written on the worker's goroutine — and puts the
// result into a ring indexed by its number. The goroutine that called Run
// is one of the workers and also the collector: between its own units it
// reports, in input order, every result that is ready. So in the steady
// state no goroutine waits for another: an entity is handed from nobody to
// nobody, and a batch with --jobs 1 runs on the caller's goroutine alone.
// (The design this replaced handed each entity from a walking goroutine to
// a worker and each result to a collecting goroutine, which woke a thread
// twice per entity and cost a fifth of a batch's CPU.)
//
// Goroutines wait only at the edges: a worker when the window of results
// not yet reported is full (the collector frees room as it reports), the
// collector when the window is full and the next result in input order is
// still being worked on, or at the end for the other workers to finish.

// run processes every input and reports every result, in input order.
func (r *runner) run(inputs []string) {
	r.startWalk(inputs)
	defer func() {
		r.srcMu.Lock() // the walk's iterator is used by one goroutine at a time
		r.stopWalk()
		r.closeAll()
		r.srcMu.Unlock()
	}()
	r.slots = make(chan struct{}, r.window)
	r.ring = make([]result, r.window)
	r.filled = make([]bool, r.window)
	r.resReady.L = &r.resMu
	r.srcReady.L = &r.srcMu
	r.running = r.opts.Jobs - 1
	var wg sync.WaitGroup
	for range r.opts.Jobs - 1 {
		wg.Go(r.work)
	}
	r.lead()
	wg.Wait()
}

// work is the loop of a worker other than the collector.
func (r *runner) work() {
	defer r.workerDone()
	for {
		r.slots <- struct{}{} // waits while the window is full
		u, ok := r.take()
		if !ok {
			<-r.slots
			return
		}
		r.put(r.process(u))
	}
}

// lead is the loop of the goroutine that called Run: a worker that reports
// the results in input order between its own units.
func (r *runner) lead() {
	for {
		r.drain()
		select {
		case r.slots <- struct{}{}:
			u, ok := r.take()
			if !ok {
				<-r.slots
				r.finish()
				return
			}
			r.put(r.process(u))
		default:
			// The window is full: the next result in input order is
			// being worked on by another worker.
			r.await(false)
		}
	}
}

// process runs one unit.
func (r *runner) process(u unit) result {
	if u.compile {
		return r.compileRecovering(u.job)
	}
	return u.res
}

// put hands a finished result to the collector.
func (r *runner) put(res result) {
	r.resMu.Lock()
	i := res.seq % r.window
	r.ring[i], r.filled[i] = res, true
	if r.waiting && res.seq == r.nextSeq {
		r.resReady.Signal()
	}
	r.resMu.Unlock()
}

// workerDone records the end of a worker's loop.
func (r *runner) workerDone() {
	r.resMu.Lock()
	r.running--
	if r.waiting {
		r.resReady.Signal()
	}
	r.resMu.Unlock()
}

// drain reports the results that are ready, in input order, and frees
// their room in the window.
func (r *runner) drain() {
	for {
		r.resMu.Lock()
		i := r.nextSeq % r.window
		if !r.filled[i] {
			r.resMu.Unlock()
			return
		}
		res := r.ring[i]
		r.ring[i], r.filled[i] = result{}, false
		r.nextSeq++
		r.resMu.Unlock()
		r.handle(res)
		<-r.slots
	}
}

// await waits until the next result in input order is ready or, when
// untilEnd, every other worker has finished; it reports whether that is
// the end (every worker finished and nothing ready).
func (r *runner) await(untilEnd bool) bool {
	r.resMu.Lock()
	defer r.resMu.Unlock()
	for !r.filled[r.nextSeq%r.window] {
		if untilEnd && r.running == 0 {
			return true
		}
		r.waiting = true
		r.resReady.Wait()
		r.waiting = false
	}
	return false
}

// finish reports the results still to come once there is no work left to
// take.
func (r *runner) finish() {
	for {
		r.drain()
		if r.await(true) {
			return
		}
	}
}
