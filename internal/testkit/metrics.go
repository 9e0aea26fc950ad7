package testkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kefu/storeapi"
)

// ErrNoMetric: the metrics have no sample of that name (a counter that has not counted yet is
// often absent).
var ErrNoMetric = errors.New("metric not found")

// metricTimeout bounds one read of /metrics when ctx has no deadline of its own.
const metricTimeout = 5 * time.Second

// ParseMetric finds the sample `name value` in metrics in the Prometheus text format and returns
// its value. name is the metric's name with its labels exactly as the server writes them, e.g.
// `kefu_feed_seq` or `kefu_mutations_total{status="duplicate"}`. A missing sample is an error
// wrapping ErrNoMetric.
func ParseMetric(r io.Reader, name string) (float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		if f := strings.Fields(rest); len(f) > 0 { // a timestamp may follow the value
			rest = f[0]
		}
		v, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			return 0, fmt.Errorf("metric %s: %w", name, err)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading metrics: %w", err)
	}
	return 0, fmt.Errorf("%s: %w", name, ErrNoMetric)
}

// ReadMetric fetches base's /metrics (base is the server's URL, e.g. http://127.0.0.1:8080)
// with hc (nil: http.DefaultClient) and returns the sample name (see ParseMetric).
func ReadMetric(ctx context.Context, hc *http.Client, base, name string) (float64, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, metricTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+storeapi.PathMetrics, nil)
	if err != nil {
		return 0, fmt.Errorf("reading metrics: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reading metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("reading metrics: %s answered %s", req.URL, resp.Status)
	}
	return ParseMetric(resp.Body, name)
}
