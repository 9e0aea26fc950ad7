package shop

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzDecide feeds arbitrary mutations to the rules: they must never panic, must answer with a
// rejection, a conflict with the current state, or records that decode and name their entity.
func FuzzDecide(f *testing.F) {
	f.Add(string(KindOrderNote), "o1", `{"note_id":"n1","flag":1,"text":"改地址","reason":"买家要求"}`, int64(0))
	f.Add(string(KindCaseMove), "k1", `{"from":"open","to":"resolved"}`, int64(3))
	f.Add(string(KindStockSet), "p1", `{"sku":"KD-1-RED-120","expected":5,"warehouse":-3,"reason":"x"}`, int64(0))
	f.Add(string(KindChatSend), "v1", `{"message_id":"m1","text":"<script>alert(1)</script>"}`, int64(0))
	f.Add(string(KindCustomerSet), "c1", `{"vip":99,"phone":"１３８"}`, int64(1))
	f.Add(string(KindAutoReplyPut), "rules", `{"greeting":"1\n2\n3\n4\n5"}`, int64(0))
	f.Add(string(KindEvidenceAdd), "e1", `{"review_id":"r1","kind":"file","title":"t","content":"AAEC"}`, int64(0))
	f.Add("chat.delete_everything", "v1", `null`, int64(-1))
	f.Fuzz(func(t *testing.T, kind, entity, data string, base int64) {
		s := fixture()
		s.add(TypeCase, "k1", AfterSalesCase{ID: "k1", OrderID: "o3", State: CaseOpen})
		m := Mutation{ID: "m-fuzz", Kind: Kind(kind), Entity: entity, Base: base, At: t0, Staff: "1001", Data: json.RawMessage(data)}
		out, err := Decide(s, m, t0.Add(time.Minute))
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("a memory reader cannot fail, yet: %v", err)
			}
			return
		}
		if out.Conflict != nil {
			if len(out.Records) != 0 || len(out.Conflict.Current) == 0 || out.Conflict.Reason == "" {
				t.Fatalf("conflict must carry the current state and write nothing: %+v", out)
			}
			return
		}
		if len(out.Records) == 0 {
			t.Fatal("an applied mutation writes something")
		}
		for _, r := range out.Records {
			if r.ID == "" || !r.Type.Known() {
				t.Fatalf("record without a proper address: %+v", r)
			}
			var v map[string]any
			if !r.Deleted && json.Unmarshal(r.Data, &v) != nil {
				t.Fatalf("record %s %s does not decode", r.Type, r.ID)
			}
		}
	})
}
