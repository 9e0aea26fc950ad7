package localdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Problem is a pushed mutation the server did not apply, kept for the UI to show.
type Problem struct {
	MutationID string          `json:"mutation_id"`
	Kind       shop.Kind       `json:"kind"`
	Entity     string          `json:"entity"`
	Status     AckStatus       `json:"status"`
	Reason     string          `json:"reason,omitempty"`
	By         string          `json:"by,omitempty"` // staff number that made the state it conflicted with
	At         time.Time       `json:"at"`           // when that state was made (else when the answer came)
	Data       json.RawMessage `json:"data,omitempty"`
	Current    []shop.Record   `json:"current,omitempty"`
}

type storedProblem struct {
	Problem  Problem   `json:"problem"`
	Recorded time.Time `json:"recorded"`
}

func (w *wtx) putProblem(m shop.Mutation, a Ack) error {
	p := Problem{MutationID: m.ID, Kind: m.Kind, Entity: m.Entity, Status: a.Status, Reason: a.Reason, Data: m.Data}
	if c := a.Conflict; c != nil {
		if p.Reason == "" {
			p.Reason = c.Reason
		}
		p.By, p.At, p.Current = c.By, c.At, c.Current
	}
	if p.At.IsZero() {
		p.At = w.now
	}
	b, err := json.Marshal(storedProblem{Problem: p, Recorded: w.now})
	if err != nil {
		return err
	}
	w.problems = true
	return w.set(problemKey(m.ID), b)
}

// Problems lists the pushed mutations the server did not apply, newest first.
func (db *DB) Problems() ([]Problem, error) {
	var sps []storedProblem
	err := db.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixProblem), PrefetchValues: true, PrefetchSize: 50})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var sp storedProblem
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &sp) }); err != nil {
				return fmt.Errorf("problem %s: %v: %w", it.Item().Key(), err, ErrCorrupt)
			}
			sps = append(sps, sp)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: problems: %w", err)
	}
	sort.SliceStable(sps, func(i, j int) bool {
		if !sps[i].Recorded.Equal(sps[j].Recorded) {
			return sps[i].Recorded.After(sps[j].Recorded)
		}
		return sps[i].Problem.MutationID > sps[j].Problem.MutationID
	})
	ps := make([]Problem, len(sps))
	for i, sp := range sps {
		ps[i] = sp.Problem
	}
	return ps, nil
}

// DismissProblem forgets a Problem (the staff member has seen it).
func (db *DB) DismissProblem(mutationID string) error {
	if err := db.writing(); err != nil {
		return err
	}
	_, err := db.update(func(w *wtx) error { return w.del(problemKey(mutationID)) })
	db.doneWriting()
	if err != nil {
		return fmt.Errorf("localdb: dismissing problem %s: %w", mutationID, err)
	}
	db.notify(Change{Problems: true})
	return nil
}
