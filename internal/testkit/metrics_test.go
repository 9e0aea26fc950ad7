package testkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kefu/storeapi"
)

const sampleMetrics = `# HELP kefu_longpoll_waiting Long polls waiting.
# TYPE kefu_longpoll_waiting gauge
kefu_longpoll_waiting_total 9
kefu_longpoll_waiting 12
kefu_feed_seq 1.3e+06
kefu_mutations_total{status="applied"} 40
kefu_mutations_total{status="duplicate"} 3 1700000000000
`

func TestParseMetric(t *testing.T) {
	for name, want := range map[string]float64{
		"kefu_longpoll_waiting":                    12,
		"kefu_feed_seq":                            1.3e6,
		`kefu_mutations_total{status="duplicate"}`: 3,
		`kefu_mutations_total{status="applied"}`:   40,
	} {
		v, err := ParseMetric(strings.NewReader(sampleMetrics), name)
		if err != nil || v != want {
			t.Errorf("ParseMetric(%s) = %v, %v; want %v", name, v, err, want)
		}
	}
	for _, name := range []string{"kefu_missing", "kefu_feed", "kefu_mutations_total"} {
		if _, err := ParseMetric(strings.NewReader(sampleMetrics), name); !errors.Is(err, ErrNoMetric) {
			t.Errorf("ParseMetric(%s) = %v, want ErrNoMetric", name, err)
		}
	}
	if _, err := ParseMetric(strings.NewReader("kefu_x nope\n"), "kefu_x"); err == nil || errors.Is(err, ErrNoMetric) {
		t.Errorf("a sample that is not a number: %v, want a parse error", err)
	}
}

func TestReadMetric(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != storeapi.PathMetrics {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, sampleMetrics)
	}))
	defer hs.Close()
	v, err := ReadMetric(context.Background(), hs.Client(), hs.URL+"/", "kefu_longpoll_waiting")
	if err != nil || v != 12 {
		t.Errorf("ReadMetric = %v, %v; want 12", v, err)
	}
	hs404 := httptest.NewServer(http.NotFoundHandler())
	defer hs404.Close()
	if _, err := ReadMetric(context.Background(), nil, hs404.URL, "kefu_feed_seq"); err == nil {
		t.Error("ReadMetric from a server without metrics: no error")
	}
}
