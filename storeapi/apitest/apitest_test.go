package apitest

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"kefu/shop"
	"kefu/storeapi"
)

func TestDocIsValid(t *testing.T) {
	d, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{storeapi.PathLogin, storeapi.PathMutations, storeapi.PathChanges, storeapi.PathHealth, storeapi.PathMetrics,
		"/c/{shop}/", "/c/{shop}/api/start", "/c/{shop}/api/messages"} {
		if d.Paths.Find(p) == nil {
			t.Errorf("the spec has no path %s", p)
		}
	}
	kinds := d.Components.Schemas["MutationKind"].Value.Enum
	if len(kinds) != len(shop.Kinds) {
		t.Errorf("MutationKind has %d values, shop.Kinds %d", len(kinds), len(shop.Kinds))
	}
	for i, k := range shop.Kinds {
		if i < len(kinds) && kinds[i] != string(k) {
			t.Errorf("MutationKind[%d] is %v, shop.Kinds[%d] is %s", i, kinds[i], i, k)
		}
	}
	var types []any
	for _, et := range d.Components.Schemas["EntityType"].Value.Enum {
		types = append(types, et)
	}
	for _, et := range shop.EntityTypes {
		found := false
		for _, x := range types {
			found = found || x == string(et)
		}
		if !found {
			t.Errorf("EntityType lacks %s", et)
		}
	}
}

// TestSchemasMatchGoTypes keeps the spec's schemas and the Go types they describe in step: the
// same JSON fields, and no required field that Go may leave out.
func TestSchemasMatchGoTypes(t *testing.T) {
	d, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]any{
		"LoginRequest": storeapi.LoginRequest{}, "LoginResponse": storeapi.LoginResponse{},
		"MutationsRequest": storeapi.MutationsRequest{}, "MutationsResponse": storeapi.MutationsResponse{},
		"Mutation": shop.Mutation{}, "Result": storeapi.Result{}, "Conflict": shop.Conflict{}, "Overwrite": shop.Overwrite{},
		"Record": shop.Record{}, "ChangesResponse": storeapi.ChangesResponse{}, "HealthResponse": storeapi.HealthResponse{},
		"ErrorResponse": storeapi.ErrorResponse{}, "ChatStartRequest": storeapi.ChatStartRequest{},
		"ChatStartResponse": storeapi.ChatStartResponse{}, "ChatSendRequest": storeapi.ChatSendRequest{},
		"ChatMessage": storeapi.ChatMessage{}, "ChatMessagesResponse": storeapi.ChatMessagesResponse{},

		"Card": shop.Card{}, "Address": shop.Address{},

		"Shop": shop.Shop{}, "Staff": shop.Staff{}, "Customer": shop.Customer{}, "Variant": shop.Variant{}, "Product": shop.Product{},
		"OrderItem": shop.OrderItem{}, "Order": shop.Order{}, "OrderNote": shop.OrderNote{}, "Step": shop.Step{},
		"AfterSalesCase": shop.AfterSalesCase{}, "Review": shop.Review{}, "Evidence": shop.Evidence{},
		"Conversation": shop.Conversation{}, "Message": shop.Message{}, "QuickPhrase": shop.QuickPhrase{},
		"Complaint": shop.Complaint{}, "Group": shop.Group{}, "GroupRule": shop.GroupRule{},
		"BusinessHours": shop.BusinessHours{}, "KeywordReply": shop.KeywordReply{}, "AutoReplies": shop.AutoReplies{},
	}
	// The payload of every registered kind, under the name of its Go type.
	for _, k := range shop.Registry() {
		if p := k.Payload(); p != nil {
			types[p.Name()] = reflect.Zero(p).Interface()
		}
	}
	for name, v := range types {
		ref := d.Components.Schemas[name]
		if ref == nil {
			t.Errorf("the spec has no schema %s", name)
			continue
		}
		s := ref.Value
		goFields := map[string]bool{} // JSON name → may be left out
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			jname, opts, _ := strings.Cut(tag, ",")
			if jname == "" {
				jname = f.Name
			}
			goFields[jname] = strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		}
		var missing, extra []string
		for f := range goFields {
			if _, ok := s.Properties[f]; !ok {
				missing = append(missing, f)
			}
		}
		for p := range s.Properties {
			if _, ok := goFields[p]; !ok {
				extra = append(extra, p)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("schema %s: lacks %v, has %v that %s does not", name, missing, extra, rt)
		}
		for _, req := range s.Required {
			if omit, ok := goFields[req]; ok && omit {
				t.Errorf("schema %s requires %s, which %s leaves out when empty", name, req, rt)
			}
		}
	}
}
