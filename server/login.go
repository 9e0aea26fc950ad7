package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Staff sign-in: passwords checked against their bcrypt hashes, and the staff tokens that
// grant one staff member of one shop the store API until they expire.

// newToken returns a random token (32 bytes from crypto/rand, base64url) and its SHA-256 in
// hex, which is all the store keeps.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics if the system source does)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// errBadLogin is the one answer to a wrong shop, staff number or password.
var errBadLogin = refuse(ErrUnauthorized, "the shop, staff number or password is wrong")

// login checks staff member staff's password for shop shopID and issues a token. A wrong
// shop, staff number or password (or a staff member removed from the shop) is errBadLogin,
// after as long a bcrypt comparison as a right one.
func (s *Server) login(ctx context.Context, shopID, staffNo, password string) (storeapi.LoginResponse, error) {
	var (
		cred     store.Credential
		found    bool
		staff    shop.Staff
		shopInfo = shop.Shop{ID: shopID}
	)
	if ValidShopID(shopID) && ValidStaffNumber(staffNo) {
		err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
			if _, ok, err := tx.Account(); err != nil || !ok {
				return err
			}
			var err error
			if cred, found, err = tx.Credential(staffNo); err != nil || !found {
				return err
			}
			rd := txReader{tx}
			if _, ok, err := rd.Get(shop.TypeStaff, staffNo, &staff); err != nil {
				return err
			} else if !ok {
				found = false // a staff member removed from the shop cannot log in
				return nil
			}
			_, _, err = rd.Get(shop.TypeShop, shopID, &shopInfo)
			return err
		})
		if err != nil {
			return storeapi.LoginResponse{}, err
		}
	}
	var hash []byte
	if found {
		hash = cred.Hash
	} else {
		s.dummyOnce.Do(func() {
			s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kefu: no such staff member"), s.cost)
		})
		hash = s.dummyHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !found {
		return storeapi.LoginResponse{}, errBadLogin
	}
	now := s.now()
	token, th := newToken()
	info := store.TokenInfo{Shop: shopID, Staff: staffNo, Issued: now, Expires: now.Add(storeapi.TokenLifetime)}
	wctx := context.WithoutCancel(ctx) // a token made is kept, whoever stopped waiting for it
	if err := s.store.PutToken(wctx, th, info); err != nil {
		return storeapi.LoginResponse{}, err
	}
	if err := s.store.Sync(wctx); err != nil {
		return storeapi.LoginResponse{}, err
	}
	return storeapi.LoginResponse{Token: token, Expires: info.Expires, Staff: staff, Shop: shopInfo}, nil
}

// staffToken checks a staff token: an unknown or expired one is refused with ErrUnauthorized
// (an expired one is deleted).
func (s *Server) staffToken(ctx context.Context, token string) (store.TokenInfo, error) {
	th := hashToken(token)
	info, found, err := s.store.Token(ctx, th)
	if err != nil {
		return info, err
	}
	if !found {
		return info, refuse(ErrUnauthorized, "the token is not valid; log in again")
	}
	if !s.now().Before(info.Expires) {
		if err := s.store.DeleteToken(ctx, th); err != nil {
			s.log.Warn("deleting expired token", "err", err)
		}
		return info, refuse(ErrUnauthorized, "the token expired on %s; log in again", info.Expires.Format(time.RFC3339))
	}
	return info, nil
}
