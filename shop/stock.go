package shop

// The stock kinds; their entity is a product. Stock is the server's: desks send adjustments
// with a reason, or a compare-and-set.
const (
	KindStockAdjust Kind = "stock.adjust"
	KindStockSet    Kind = "stock.set" // compare-and-set of warehouse stock
	KindStockLow    Kind = "stock.threshold"
)

var stockKinds = []KindSpec{
	{Kind: KindStockAdjust, Entity: TypeProduct, Creates: CreatesNothing, Label: "Stock adjustment", Rule: change(stockAdjust)},
	{Kind: KindStockSet, Entity: TypeProduct, Creates: CreatesNothing, Label: "Stock count", Rule: change(stockSet)},
	{Kind: KindStockLow, Entity: TypeProduct, Creates: CreatesNothing, Label: "Low-stock threshold", Rule: change(stockThreshold)},
}

// StockAdjust changes a variant's warehouse stock by Delta, with a reason.
type StockAdjust struct {
	SKU    string `json:"sku"`
	Delta  int    `json:"delta"`
	Reason string `json:"reason"`
}

// StockSet sets a variant's warehouse stock if it still is Expected (compare-and-set).
type StockSet struct {
	SKU       string `json:"sku"`
	Expected  int    `json:"expected"`
	Warehouse int    `json:"warehouse"`
	Reason    string `json:"reason"`
}

// StockThreshold sets a product's low-stock threshold.
type StockThreshold struct {
	LowStock int `json:"low_stock"`
}

func stockAdjust(d *decider, pr *Product, p StockAdjust) error {
	v, ok := pr.Variant(p.SKU)
	if !ok {
		return reject("product %s has no SKU %s", pr.ID, p.SKU)
	}
	if p.Delta == 0 || p.Delta > MaxQuantity || p.Delta < -MaxQuantity {
		return reject("adjustment %d is not a sensible quantity", p.Delta)
	}
	if err := rejectText("reason", p.Reason, MaxShortText, true); err != nil {
		return err
	}
	if v.Warehouse+p.Delta < 0 {
		return d.conflict(pr.UpdatedBy, pr.UpdatedAt, d.cur, "SKU %s has %d in the warehouse; cannot take away %d", p.SKU, v.Warehouse, -p.Delta)
	}
	v.Warehouse += p.Delta
	d.touch(pr)
	return nil
}

func stockSet(d *decider, pr *Product, p StockSet) error {
	v, ok := pr.Variant(p.SKU)
	if !ok {
		return reject("product %s has no SKU %s", pr.ID, p.SKU)
	}
	if p.Warehouse < 0 || p.Warehouse > MaxQuantity || p.Expected < 0 {
		return reject("stock %d is not a sensible quantity", p.Warehouse)
	}
	if err := rejectText("reason", p.Reason, MaxShortText, true); err != nil {
		return err
	}
	if v.Warehouse != p.Expected {
		return d.conflict(pr.UpdatedBy, pr.UpdatedAt, d.cur, "SKU %s has %d in the warehouse now, not %d", p.SKU, v.Warehouse, p.Expected)
	}
	v.Warehouse = p.Warehouse
	d.touch(pr)
	return nil
}

func stockThreshold(d *decider, pr *Product, p StockThreshold) error {
	if p.LowStock < 0 || p.LowStock > MaxQuantity {
		return reject("threshold %d is not a sensible quantity", p.LowStock)
	}
	pr.LowStock = p.LowStock
	d.touch(pr)
	return nil
}

// touch records who changed the product, and when.
func (d *decider) touch(pr *Product) { pr.UpdatedAt, pr.UpdatedBy = d.at, d.m.Staff }
