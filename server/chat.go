package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The customer chat core: customers start a chat by nick, send messages (recorded with the
// shop's auto-replies) and long-poll the replies, with no desk online.

// ChatTokenLifetime is how long a customer's chat token stays valid.
const ChatTokenLifetime = 90 * 24 * time.Hour

// Chat answers hold at most this many messages; the page asks again from the last one.
const maxChatMessages = 500

// publicShop checks the shop a customer writes to and returns its public details; a shop
// that does not exist is refused with ErrNoShop.
func (s *Server) publicShop(ctx context.Context, id string) (shop.Shop, error) {
	info := shop.Shop{ID: id, Name: id}
	if !ValidShopID(id) {
		return info, refuse(ErrNoShop, "there is no shop %q here", id)
	}
	found := false
	err := s.store.View(ctx, id, func(tx store.ReadTx) error {
		var err error
		if _, found, err = tx.Account(); err != nil || !found {
			return err
		}
		_, _, err = txReader{tx}.Get(shop.TypeShop, id, &info)
		return err
	})
	if err != nil {
		return info, err
	}
	if !found {
		return info, refuse(ErrNoShop, "there is no shop %q here", id)
	}
	if info.Name == "" {
		info.Name = id
	}
	return info, nil
}

// cleanNick checks a nick a customer typed.
func cleanNick(nick string) (string, error) {
	nick = strings.TrimSpace(nick)
	if nick == "" {
		return "", refuse(ErrInvalid, "please enter a nickname")
	}
	if n := utf8.RuneCountInString(nick); n > 64 {
		return "", refuse(ErrInvalid, "the nickname has %d characters; at most 64", n)
	}
	for _, r := range nick {
		if unicode.IsControl(r) {
			return "", refuse(ErrInvalid, "the nickname contains a control character")
		}
	}
	return nick, nil
}

// StartChat finds the customer with the nick (or creates one), finds their conversation (or
// creates one) and returns a new chat token bound to it. A customer found by nick sees only
// the messages written from now on: a nick is no proof of who someone is.
func (s *Server) StartChat(shopID string, req storeapi.ChatStartRequest) (storeapi.ChatStartResponse, error) {
	if err := s.enter(); err != nil {
		return storeapi.ChatStartResponse{}, err
	}
	defer s.inflight.Done()
	ctx := context.Background() // a chat started is kept, whoever stopped waiting for it
	nick, err := cleanNick(req.Nick)
	if err != nil {
		return storeapi.ChatStartResponse{}, err
	}
	product := strings.TrimSpace(req.Product)
	if product != "" && (len(product) > 64 || strings.ContainsAny(product, "/\x00 \t\n") || !utf8.ValidString(product)) {
		return storeapi.ChatStartResponse{}, refuse(ErrInvalid, "product %q is not a product id", product)
	}
	now := s.now()
	token, th := newToken()
	var resp storeapi.ChatStartResponse
	err = s.write(ctx, shopID, func(tx store.Tx) error {
		rd := txReader{tx}
		seq, err := tx.Seq()
		if err != nil {
			return err
		}
		var cust shop.Customer
		found := false
		ids, err := customersByNick(tx, nick)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, found, err = rd.Get(shop.TypeCustomer, id, &cust); err != nil {
				return err
			} else if found {
				break
			}
		}
		if !found {
			cust = shop.Customer{ID: shop.NewID(), Nick: nick, CreatedAt: now}
			if _, err := putRecord(tx, shop.NewRecord(shop.TypeCustomer, cust.ID, cust)); err != nil {
				return err
			}
		}
		var conv shop.Conversation
		convFound := false
		convs, err := conversationsOf(tx, cust.ID)
		if err != nil {
			return err
		}
		// An API channel's conversation belongs to its outside system, never to the page.
		for _, id := range convs {
			var c shop.Conversation
			if _, ok, err := rd.Get(shop.TypeConversation, id, &c); err != nil {
				return err
			} else if ok && c.Channel == "" && (!convFound || c.LastAt.After(conv.LastAt)) {
				conv, convFound = c, true
			}
		}
		changed := !convFound
		if !convFound {
			conv = shop.Conversation{ID: shop.NewID(), CustomerID: cust.ID, Nick: cust.Nick}
		}
		if product != "" && product != conv.ProductID {
			var p shop.Product
			if _, ok, err := rd.Get(shop.TypeProduct, product, &p); err != nil {
				return err
			} else if ok {
				conv.ProductID, changed = product, true
			}
		}
		if changed {
			if _, err := putRecord(tx, shop.NewRecord(shop.TypeConversation, conv.ID, conv)); err != nil {
				return err
			}
		}
		from := int64(0)
		if found {
			from = seq
		}
		resp = storeapi.ChatStartResponse{Conversation: conv.ID, Token: token}
		return tx.PutChatToken(th, store.ChatToken{Conversation: conv.ID, Customer: cust.ID, FromSeq: from, Expires: now.Add(ChatTokenLifetime)})
	})
	if err != nil {
		return storeapi.ChatStartResponse{}, err
	}
	return resp, nil
}

// chatToken checks a customer's chat token.
func (s *Server) chatToken(ctx context.Context, shopID, token string) (store.ChatToken, error) {
	if token == "" {
		return store.ChatToken{}, refuse(ErrUnauthorized, "the chat token is missing; start the chat again")
	}
	var ct store.ChatToken
	found := false
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		ct, found, err = tx.ChatToken(hashToken(token))
		return err
	})
	if err != nil {
		return ct, err
	}
	if !found || !s.now().Before(ct.Expires) {
		return ct, refuse(ErrUnauthorized, "the chat token is not valid; start the chat again")
	}
	return ct, nil
}

// customerMessageID is the id of a customer's message: from the client's id when it sent one
// (so a retried send finds its first copy), else new.
func customerMessageID(convID, clientID string) string {
	if clientID == "" {
		return shop.NewID()
	}
	h := sha256.Sum256([]byte(convID + "\x00" + clientID))
	return "web-" + hex.EncodeToString(h[:16])
}

// CustomerSend records a customer's message with the shop's auto-replies (shop.CustomerWrites)
// and returns the conversation's messages the customer may see. A repeated client id stores
// nothing twice.
func (s *Server) CustomerSend(shopID string, req storeapi.ChatSendRequest) (storeapi.ChatMessagesResponse, error) {
	if err := s.enter(); err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	defer s.inflight.Done()
	ctx := context.Background() // a message sent is kept, whoever stopped waiting for it
	ct, err := s.chatToken(ctx, shopID, req.Token)
	if err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	if req.ID != "" && (len(req.ID) > 64 || strings.ContainsFunc(req.ID, unicode.IsControl)) {
		return storeapi.ChatMessagesResponse{}, refuse(ErrInvalid, "the message id must be at most 64 characters with no control characters")
	}
	msgID := customerMessageID(ct.Conversation, req.ID)
	now := s.now()
	var written []shop.Record
	err = s.write(ctx, shopID, func(tx store.Tx) error {
		written = nil
		if prev, found, err := tx.Record(shop.TypeMessage, msgID); err != nil {
			return err
		} else if found {
			var m shop.Message
			if err := prev.Decode(&m); err != nil {
				return err
			}
			if m.ConversationID != ct.Conversation {
				return refuse(ErrConflict, "message id %s belongs to another conversation", req.ID)
			}
			return nil // sent before: nothing twice
		}
		recs, err := shop.CustomerWrites(txReader{tx}, ct.Conversation, msgID, req.Text, now, shop.NewID)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if _, err := putRecord(tx, rec); err != nil {
				return err
			}
		}
		written = recs
		return nil
	})
	if err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	for _, rec := range written {
		if rec.Type != shop.TypeMessage {
			continue
		}
		if rec.ID == msgID {
			s.metrics.chat.WithLabelValues(string(shop.FromCustomer)).Inc()
		} else {
			s.metrics.chat.WithLabelValues(string(shop.FromAuto)).Inc()
		}
	}
	st, err := s.state(ctx, shopID)
	if err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	upto, _ := st.watch()
	var resp storeapi.ChatMessagesResponse
	err = s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		resp.Messages, err = chatMessages(tx, ct.Conversation, ct.FromSeq, upto, true)
		return err
	})
	return resp, err
}

// CustomerMessages returns the messages of the token's conversation after message id after
// ("" for all the customer may see); with wait > 0 and none yet, it waits for one.
func (s *Server) CustomerMessages(ctx context.Context, shopID, token, after string, wait time.Duration) (storeapi.ChatMessagesResponse, error) {
	if err := s.enter(); err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	defer s.inflight.Done()
	ct, err := s.chatToken(ctx, shopID, token)
	if err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	st, err := s.state(ctx, shopID)
	if err != nil {
		return storeapi.ChatMessagesResponse{}, err
	}
	from := ct.FromSeq
	if after != "" {
		var rec shop.Record
		found := false
		err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
			var err error
			rec, found, err = tx.Record(shop.TypeMessage, after)
			return err
		})
		if err != nil {
			return storeapi.ChatMessagesResponse{}, err
		}
		var m shop.Message
		if !found || rec.Decode(&m) != nil || m.ConversationID != ct.Conversation {
			return storeapi.ChatMessagesResponse{}, refuse(ErrInvalid, "message %q is not in this conversation", after)
		}
		from = max(from, rec.Seq)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	read := int64(-1) // the shop seq last read at
	for {
		newest, changed := st.watch()
		if newest != read {
			var resp storeapi.ChatMessagesResponse
			err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
				var err error
				resp.Messages, err = chatMessages(tx, ct.Conversation, from, newest, false)
				return err
			})
			if err != nil || len(resp.Messages) > 0 || wait <= 0 {
				return resp, err
			}
			read = newest
		}
		if s.waitChange(ctx, changed, &timer, wait) {
			continue
		}
		return storeapi.ChatMessagesResponse{Messages: []storeapi.ChatMessage{}}, nil
	}
}

// chatMessages lists the conversation's messages with seq greater than after and at most upto
// (the published seq) in feed order: the first maxChatMessages of them, or with last the last
// ones.
func chatMessages(tx store.ReadTx, convID string, after, upto int64, last bool) ([]storeapi.ChatMessage, error) {
	var ids []string
	err := messagesOf(tx, convID, after, upto, func(id string) bool {
		ids = append(ids, id)
		if len(ids) > maxChatMessages {
			if !last {
				ids = ids[:maxChatMessages]
				return false
			}
			ids = ids[1:]
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]storeapi.ChatMessage, 0, len(ids))
	rd := txReader{tx}
	for _, id := range ids {
		var m shop.Message
		if _, ok, err := rd.Get(shop.TypeMessage, id, &m); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		out = append(out, storeapi.ChatMessage{ID: m.ID, From: m.From, Text: messageText(m), At: m.At})
	}
	return out, nil
}

// messageText is a message as plain text for the customer: its text, then its card.
func messageText(m shop.Message) string {
	if m.Card == nil {
		return m.Text
	}
	parts := []string{}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	parts = append(parts, "【"+m.Card.Title+"】")
	parts = append(parts, m.Card.Lines...)
	if m.Card.URL != "" {
		parts = append(parts, m.Card.URL)
	}
	return strings.Join(parts, "\n")
}
