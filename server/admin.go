package server

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"kefu/server/store"
	"kefu/shop"
)

// MinPasswordLen is the shortest password AddStaff accepts.
const MinPasswordLen = 8

// InitShop creates shop id with its display name. It fails with ErrShopExists when the shop
// exists already.
func (s *Server) InitShop(ctx context.Context, id, name string) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.inflight.Done()
	if !ValidShopID(id) {
		return fmt.Errorf("shop %q: %w", id, ErrInvalidShop)
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > shop.MaxShortText {
		return fmt.Errorf("shop name must be 1 to %d characters: %w", shop.MaxShortText, ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	info := shop.Shop{ID: id, Name: name}
	if s.public != "" {
		info.ChatURL = s.public + "/c/" + id + "/"
	}
	err := s.write(ctx, id, func(tx store.Tx) error {
		if _, found, err := tx.Account(); err != nil {
			return err
		} else if found {
			return fmt.Errorf("shop %s: %w", id, ErrShopExists)
		}
		if _, err := putRecord(tx, shop.NewRecord(shop.TypeShop, id, info)); err != nil {
			return err
		}
		return tx.PutAccount(ShopAccount{ID: id, Created: s.now()})
	})
	return err
}

// AddStaff adds a staff member to a shop, or gives an existing one the new name, role and
// password. The password must have at least MinPasswordLen characters.
func (s *Server) AddStaff(ctx context.Context, shopID string, st shop.Staff, password string) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.inflight.Done()
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return fmt.Errorf("the password needs at least %d characters: %w", MinPasswordLen, ErrInvalid)
	}
	return s.putStaff(ctx, shopID, st, password, true)
}

// putStaff writes a staff record and its credential; the shop must exist when mustExist.
func (s *Server) putStaff(ctx context.Context, shopID string, st shop.Staff, password string, mustExist bool) error {
	if !ValidShopID(shopID) {
		return fmt.Errorf("shop %q: %w", shopID, ErrInvalidShop)
	}
	if !ValidStaffNumber(st.Number) {
		return fmt.Errorf("staff number %q must be 1 to 32 letters, digits, '-' or '_': %w", st.Number, ErrInvalid)
	}
	st.Name = strings.TrimSpace(st.Name)
	if st.Name == "" || utf8.RuneCountInString(st.Name) > shop.MaxShortText {
		return fmt.Errorf("staff name must be 1 to %d characters: %w", shop.MaxShortText, ErrInvalid)
	}
	switch st.Role {
	case shop.RoleOwner, shop.RoleManager, shop.RoleAgent:
	default:
		return fmt.Errorf("role %q is not owner, manager or agent: %w", st.Role, ErrInvalid)
	}
	if password == "" || len(password) > 72 {
		return fmt.Errorf("the password must be 1 to 72 bytes: %w", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return fmt.Errorf("hashing the password: %w", err)
	}
	err = s.write(ctx, shopID, func(tx store.Tx) error {
		if mustExist {
			if _, found, err := tx.Account(); err != nil {
				return err
			} else if !found {
				return fmt.Errorf("shop %s: %w", shopID, ErrNoShop)
			}
		}
		rec := shop.NewRecord(shop.TypeStaff, st.Number, st)
		if old, found, err := tx.Record(shop.TypeStaff, st.Number); err != nil {
			return err
		} else if !found || old.Deleted || !bytes.Equal(old.Data, rec.Data) {
			if _, err := putRecord(tx, rec); err != nil {
				return err
			}
		}
		return tx.PutCredential(store.Credential{Staff: st.Number, Hash: hash, Changed: s.now()})
	})
	return err
}

// StaffLogin is a staff member to create with a shop, with the password to log in with.
type StaffLogin struct {
	Staff    shop.Staff
	Password string
}

// Import limits: records per transaction, and bytes of record data per transaction.
const (
	importChunk      = 2000
	importChunkBytes = 1 << 20
)

// ImportShop creates shop acct.ID from the records gen emits, written in chunked transactions
// (so that a shop of millions of records never sits in memory), plus the staff logins. It does
// nothing and returns false when the shop exists already. The shop's account is written last:
// an import cut short is redone from the start next time.
func (s *Server) ImportShop(ctx context.Context, acct ShopAccount, gen func(emit func(shop.Record) error) error, staff []StaffLogin) (bool, error) {
	if err := s.enter(); err != nil {
		return false, err
	}
	defer s.inflight.Done()
	if !ValidShopID(acct.ID) {
		return false, fmt.Errorf("shop %q: %w", acct.ID, ErrInvalidShop)
	}
	exists := false
	err := s.store.View(ctx, acct.ID, func(tx store.ReadTx) error {
		var err error
		_, exists, err = tx.Account()
		return err
	})
	if err != nil || exists {
		return false, err
	}
	var chunk []shop.Record
	size := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-s.closing:
			return ErrClosed
		default:
		}
		err := s.write(ctx, acct.ID, func(tx store.Tx) error {
			for _, rec := range chunk {
				if _, err := putRecord(tx, rec); err != nil {
					return err
				}
			}
			return nil
		})
		chunk, size = chunk[:0], 0
		return err
	}
	err = gen(func(rec shop.Record) error {
		if !rec.Type.Known() || rec.ID == "" {
			return fmt.Errorf("importing %s %q: %w", rec.Type, rec.ID, ErrInvalid)
		}
		chunk = append(chunk, rec)
		size += len(rec.Data)
		if len(chunk) >= s.shopChunk || size >= importChunkBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return false, fmt.Errorf("importing shop %s: %w", acct.ID, err)
	}
	for _, l := range staff {
		// The generator's staff record wins over the login's description when there is one.
		st := l.Staff
		err := s.store.View(ctx, acct.ID, func(tx store.ReadTx) error {
			_, _, err := txReader{tx}.Get(shop.TypeStaff, st.Number, &st)
			return err
		})
		if err != nil {
			return false, err
		}
		if err := s.putStaff(ctx, acct.ID, st, l.Password, false); err != nil {
			return false, fmt.Errorf("importing shop %s: staff %s: %w", acct.ID, st.Number, err)
		}
	}
	if acct.Created.IsZero() {
		acct.Created = s.now()
	}
	err = s.write(ctx, acct.ID, func(tx store.Tx) error {
		var info shop.Shop
		if _, found, err := (txReader{tx}).Get(shop.TypeShop, acct.ID, &info); err != nil {
			return err
		} else if !found {
			if _, err := putRecord(tx, shop.NewRecord(shop.TypeShop, acct.ID, shop.Shop{ID: acct.ID, Name: acct.ID})); err != nil {
				return err
			}
		}
		return tx.PutAccount(acct)
	})
	if err != nil {
		return false, err
	}
	return true, nil
}
