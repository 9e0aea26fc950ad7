package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kefu/storeapi"
)

// metrics are the server's Prometheus metrics, in a registry of its own (several servers can
// run in one process, as in tests).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	mutations *prometheus.CounterVec
	waiting   prometheus.Gauge
	feedSeq   prometheus.Gauge
	chat      *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kefu_http_request_duration_seconds",
			Help:    "HTTP request latency by route (long polls include their wait).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route"}),
		mutations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_mutations_total",
			Help: "Pushed mutations by result status.",
		}, []string{"status"}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kefu_longpoll_waiting",
			Help: "Change-feed and chat long polls waiting for a change now.",
		}),
		feedSeq: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kefu_feed_seq",
			Help: "Newest change-feed sequence number over all shops.",
		}),
		chat: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kefu_chat_messages_total",
			Help: "Messages written through the customer chat by sender (customer or auto).",
		}, []string{"from"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.mutations, m.waiting, m.feedSeq, m.chat,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, st := range []storeapi.Status{storeapi.StatusApplied, storeapi.StatusDuplicate, storeapi.StatusConflict, storeapi.StatusRejected} {
		m.mutations.WithLabelValues(string(st)) // show zeros before the first push
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // clients choose methods; keep the label set small
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}
