package server

import (
	"net/http"
	"time"

	"kefu/storeapi"
)

// The HTTP handlers of the customer chat's JSON endpoints (/c/{shop}/api/...); the page itself
// is in chat_page.go. Rate limits are per address (starts) and per chat token (messages).

func (s *Server) handleChatStart(w http.ResponseWriter, r *http.Request) {
	info, err := s.publicShop(r.Context(), r.PathValue("shop"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if ok, wait := s.startLimit.allow("start\x00"+remoteHost(r), s.now()); !ok {
		retryAfter(w, wait)
		fail(w, http.StatusTooManyRequests, storeapi.CodeRateLimited, "too many chats started from this address; try again later")
		return
	}
	var req storeapi.ChatStartRequest
	if !readJSON(w, r, &req) {
		return
	}
	resp, err := s.StartChat(info.ID, req)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	resp.ShopName = info.Name
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleChatSend(w http.ResponseWriter, r *http.Request) {
	info, err := s.publicShop(r.Context(), r.PathValue("shop"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var req storeapi.ChatSendRequest
	if !readJSON(w, r, &req) {
		return
	}
	if ok, wait := s.sendLimit.allow("send\x00"+hashToken(req.Token), s.now()); !ok {
		retryAfter(w, wait)
		fail(w, http.StatusTooManyRequests, storeapi.CodeRateLimited, "too many messages; please wait a minute")
		return
	}
	resp, err := s.CustomerSend(info.ID, req)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleChatPoll(w http.ResponseWriter, r *http.Request) {
	info, err := s.publicShop(r.Context(), r.PathValue("shop"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	q := r.URL.Query()
	wait, ok := queryInt(r, "wait", 0, 0, storeapi.MaxWaitSeconds)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "wait must be a number of seconds from 0 to %d", storeapi.MaxWaitSeconds)
		return
	}
	resp, err := s.CustomerMessages(r.Context(), info.ID, q.Get("token"), q.Get("after"), time.Duration(wait)*time.Second)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
