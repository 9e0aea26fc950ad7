package server

import (
	"errors"
	"io"
	"net/http"
	"time"

	"kefu/server/store"
	"kefu/storeapi"
)

// The HTTP handlers of API channels: management with a staff token (owners and managers; any
// staff member may list), and the inbound endpoint, which needs no token but the channel's
// signature. Its rate limit is per channel, counted after the signature is checked (so that
// nobody without the secret can use up a channel's allowance).

func (s *Server) handleChannelCreate(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	var req storeapi.ChannelRequest
	if !readJSON(w, r, &req) {
		return
	}
	resp, err := s.CreateChannel(r.Context(), tok.Shop, tok.Staff, req)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) handleChannelList(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	chs, err := s.Channels(r.Context(), tok.Shop)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.ChannelsResponse{Channels: chs})
}

func (s *Server) handleChannelUpdate(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	var u storeapi.ChannelUpdate
	if !readJSON(w, r, &u) {
		return
	}
	ch, err := s.UpdateChannel(r.Context(), tok.Shop, tok.Staff, r.PathValue("id"), u)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) handleChannelDelete(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	if err := s.DeleteChannel(r.Context(), tok.Shop, tok.Staff, r.PathValue("id")); err != nil {
		s.failErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleChannelSecret(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	secret, err := s.RotateChannelSecret(r.Context(), tok.Shop, tok.Staff, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.ChannelSecret{Secret: secret})
}

func (s *Server) handleChannelDeliveries(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	limit, ok := queryInt(r, "limit", 100, 1, 1000)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "limit must be a number from 1 to 1000")
		return
	}
	ds, err := s.ChannelDeliveries(r.Context(), tok.Shop, tok.Staff, r.PathValue("id"), int(limit))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.DeliveriesResponse{Deliveries: ds})
}

// handleChannelInbound takes a signed message from a channel's outside system (the channel
// id names its shop).
func (s *Server) handleChannelInbound(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, storeapi.MaxInboundBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, storeapi.CodeTooLarge, "an inbound message is at most %d bytes", storeapi.MaxInboundBytes)
		} else {
			fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "reading the request body: %v", err)
		}
		return
	}
	res, err := s.ChannelInbound(r.Context(), id, r.Header.Get(storeapi.HeaderTimestamp), r.Header.Get(storeapi.HeaderSignature), body)
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", `KefuSignature realm="kefu"`)
		}
		if errors.Is(err, ErrRateLimited) {
			retryAfter(w, time.Minute)
		}
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
