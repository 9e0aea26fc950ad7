package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"kefu/localdb"
)

// The full-text search's figures, on the large desk store: the index is built in the
// background when the store is opened (the cached store was synced without it, as a desk's
// first full sync leaves it), then queried.
const (
	figSearch    = "full-text search, 1M messages (Chinese 2–4 chars, order no. in a message, English word, phone)"
	targetSearch = "p99 ≤ 30 ms"
	maxSearch    = 30 * time.Millisecond

	figSearchSize    = "search index size, share of the desk store on disk"
	targetSearchSize = "≤ 30 %"
	maxSearchShare   = 0.30

	searchQueries  = 400 // queries measured (after one pass to warm up)
	searchBuildMax = 20 * time.Minute
)

// searchFigures builds the index on the working copy of the large desk store at dir, then
// measures its size and the queries. It closes nothing it did not open.
func searchFigures(dir string, sample deskSample) []Figure {
	fail := func(err error) []Figure {
		return []Figure{failed(figSearch, targetSearch, err), failed(figSearchSize, targetSearchSize, err)}
	}
	before, err := dirSize(dir)
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	db, err := localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		return fail(err)
	}
	if err := db.WaitSearchIndexed(searchBuildMax); err != nil {
		db.Close()
		return fail(err)
	}
	build := time.Since(start)
	if err := db.Close(); err != nil { // flushes the memtables (and compacts), as a desk's close does
		return fail(err)
	}
	after, err := dirSize(dir)
	if err != nil {
		return fail(err)
	}
	db, err = localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	// The index's own entries against the rest of the store on disk: the cache's desk store
	// may hold the index already (its first sync left the desk open long enough to build it),
	// and then the directory's growth at this open says nothing.
	indexBytes, err := db.SearchIndexBytes()
	if err != nil {
		return fail(err)
	}
	share := float64(indexBytes) / float64(after-indexBytes)
	size := Figure{Name: figSearchSize, Value: fmt.Sprintf("%.1f %%", share*100), Target: targetSearchSize,
		Pass: share <= maxSearchShare,
		Note: fmt.Sprintf("index entries %s (keys and values, before the tables' compression) against the rest of the desk store, %s on disk; directory %s before this open, %s after; the build at this open took %v",
			fmtMB(indexBytes), fmtMB(after-indexBytes), fmtMB(before), fmtMB(after), build.Round(100*time.Millisecond))}

	qs, kinds, err := searchQueryMix(db, sample, newRand(7))
	if err != nil {
		return []Figure{failed(figSearch, targetSearch, err), size}
	}
	hits := 0
	run := func(i int) error {
		res, err := db.Search(localdb.SearchQuery{Text: qs[i%len(qs)], Limit: 50})
		if err == nil && len(res.Hits) > 0 {
			hits++
		}
		return err
	}
	if _, _, err := timeEach(len(qs), run); err != nil {
		return []Figure{failed(figSearch, targetSearch, err), size}
	}
	hits = 0
	lat, allocs, err := timeEach(searchQueries, run)
	if err != nil {
		return []Figure{failed(figSearch, targetSearch, err), size}
	}
	p99 := lat.Percentile(99)
	return []Figure{{Name: figSearch, Value: "p99 " + fmtMs(p99), Target: targetSearch, Pass: p99 <= maxSearch && hits == len(lat),
		Note: fmt.Sprintf("%d queries (%s), a page of 50 newest first; median %s; %.0f allocs/op; %d of %d found a hit",
			len(lat), kinds, fmtMs(lat.Median()), allocs, hits, len(lat))}, size}
}

// searchQueryMix picks queries from the messages of sampled conversations: Chinese phrases of
// 2–4 characters, six digits from inside a number of 8 or more (an order or tracking number),
// English words and 11-digit phones found in them. Each is taken from a real message, so
// every query has at least one hit.
func searchQueryMix(db *localdb.DB, s deskSample, rng *rand.Rand) ([]string, string, error) {
	var cn, num, en, phone []string
	for _, c := range s.convs {
		msgs, err := db.Messages(c.ID, "", 50)
		if err != nil {
			return nil, "", err
		}
		for _, m := range msgs {
			rs := []rune(m.Text)
			for i := 0; i < len(rs); {
				j := i
				switch r := rs[i]; {
				case unicode.Is(unicode.Han, r):
					for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
						j++
					}
					if n := 2 + rng.IntN(3); j-i >= n && len(cn) < searchQueries {
						at := i + rng.IntN(j-i-n+1)
						cn = append(cn, string(rs[at:at+n]))
					}
				case r < 128 && unicode.IsDigit(r):
					for j < len(rs) && rs[j] < 128 && unicode.IsDigit(rs[j]) {
						j++
					}
					switch d := string(rs[i:j]); {
					case len(d) == 11 && d[0] == '1':
						phone = append(phone, d)
					case len(d) >= 8:
						at := rng.IntN(len(d) - 6 + 1)
						num = append(num, d[at:at+6])
					}
				case r < 128 && unicode.IsLetter(r):
					for j < len(rs) && rs[j] < 128 && unicode.IsLetter(rs[j]) {
						j++
					}
					if j-i >= 3 {
						en = append(en, strings.ToLower(string(rs[i:j])))
					}
				default:
					j++
				}
				i = max(j, i+1)
			}
		}
	}
	var qs []string
	pools := []*[]string{&cn, &num, &en, &phone}
	for len(qs) < searchQueries {
		added := false
		for _, p := range pools {
			if len(*p) > 0 {
				qs = append(qs, (*p)[rng.IntN(len(*p))])
				added = true
			}
		}
		if !added {
			return nil, "", fmt.Errorf("the sampled messages hold no text to search for: %w", errEmptyDesk)
		}
	}
	kinds := fmt.Sprintf("pools: %d Chinese phrases, %d order-number parts, %d English words, %d phones",
		len(cn), len(num), len(en), len(phone))
	return qs, kinds, nil
}
