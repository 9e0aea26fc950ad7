package localdb

import (
	"errors"
	"fmt"
	"sort"

	"kefu/shop"
)

// rebase recomputes the local view of the entities in set: it collects the pending mutations
// that touched them and, transitively, the entities those mutations touched; resets all of
// these entities to their server copies; and replays the mutations in outbox order with
// shop.Decide. A mutation that now conflicts or is rejected stays in the outbox (the server
// decides) but its effect is not shown. Entities left without pending mutations stop being
// pending.
func (w *wtx) rebase(set []entKey) error {
	if len(set) == 0 {
		return nil
	}
	marks, err := w.markers()
	if err != nil {
		return err
	}
	ents := map[entKey]bool{}
	envs := map[uint64]*envelope{}
	queue := append([]entKey(nil), set...)
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if ents[k] {
			continue
		}
		ents[k] = true
		for seq := range marks[k] {
			if envs[seq] != nil {
				continue
			}
			e, err := w.loadEnv(seq)
			if err != nil {
				return err
			}
			envs[seq] = e
			queue = append(queue, e.Touched...)
		}
	}
	order := sortedKeys(ents)
	for _, k := range order {
		if err := w.resetToServer(k); err != nil {
			return err
		}
	}
	seqs := make([]uint64, 0, len(envs))
	for s := range envs {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for _, seq := range seqs {
		e := envs[seq]
		out, err := shop.Decide(w, e.M, w.now)
		if err != nil {
			if errors.Is(err, shop.ErrRejected) {
				continue
			}
			return fmt.Errorf("replaying %s %s: %w", e.M.Kind, e.M.ID, err)
		}
		if out.Conflict != nil {
			continue
		}
		touched, err := w.applyOutcome(out, seq)
		if err != nil {
			return err
		}
		changed := false
		for _, k := range touched {
			if !ents[k] {
				ents[k] = true
				order = append(order, k)
			}
			n := len(e.Touched)
			if e.Touched = appendKey(e.Touched, k); len(e.Touched) != n {
				changed = true
			}
		}
		if changed {
			if err := w.saveEnv(seq, e); err != nil {
				return err
			}
		}
	}
	for _, k := range order {
		if len(marks[k]) == 0 {
			if err := w.clearPending(k); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys(m map[entKey]bool) []entKey {
	ks := make([]entKey, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].T != ks[j].T {
			return ks[i].T < ks[j].T
		}
		return ks[i].ID < ks[j].ID
	})
	return ks
}
