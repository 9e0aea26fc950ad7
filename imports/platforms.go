package imports

import (
	"fmt"
	"strings"

	"kefu/shop"
)

// The formats and how each one's rows become records. Sources: ../shared/IMPORT-FORMATS.md
// (Taobao's headers from cqqyd2014/bfkjs, Shopify's help center, WooCommerce's importer,
// 聚水潭's field list); Kefu's own templates are documented in docs/import-templates.md.

func f(key string, req bool, names ...string) field { return field{key: key, names: names, req: req} }

var formats = []*Format{
	{Name: "taobao-orders", Label: "淘宝订单报表 (Taobao order report)", Kind: KindOrder, Source: "taobao", parse: taobaoOrder, fields: []field{
		f("order", true, "订单编号"), f("nick", true, "买家会员名", "买家昵称"), f("status", true, "订单状态"),
		f("address", true, "收货地址"), f("receiver", false, "收货人姓名"), f("mobile", false, "联系手机"), f("tel", false, "联系电话"),
		f("paid_amount", false, "买家实际支付金额", "买家实付金额"), f("gross", false, "总金额"), f("shipping", false, "买家应付邮费"),
		f("message", false, "买家留言"), f("memo", false, "订单备注"), f("created", false, "订单创建时间", "买家下单时间"),
		f("paid", false, "订单付款时间", "买家付款时间"), f("shipped", false, "发货时间"), f("tracking", false, "物流单号", "运单号"),
		f("courier", false, "物流公司"), f("close", false, "订单关闭原因"), f("new_address", false, "修改后的收货地址"),
	}},
	{Name: "taobao-items", Label: "淘宝宝贝报表 (Taobao item report)", Kind: KindOrderLine, Source: "taobao", parse: taobaoItem, fields: []field{
		f("order", true, "订单编号"), f("title", true, "标题", "宝贝标题"), f("price", true, "价格"), f("qty", true, "购买数量"),
		f("sku", false, "商家编码"), f("outer", false, "外部系统编号"), f("props", false, "商品属性", "宝贝规格"), f("status", false, "订单状态"),
	}},
	{Name: "taobao-assistant", Label: "淘宝助理商品 (Taobao Assistant products)", Kind: KindProduct, Source: "taobao", labelRow: true, parse: assistantProduct, fields: []field{
		f("title", true, "title"), f("price", true, "price"), f("num", true, "num"), f("outer_id", false, "outer_id"),
		f("barcode", false, "barcode"), f("sku_props", false, "skuProps"), f("num_id", false, "num_id"), f("sku_barcode", false, "sku_barcode"),
	}},
	{Name: "shopify-orders", Label: "Shopify orders", Kind: KindOrder, Source: "shopify", parse: shopifyOrder, fields: []field{
		f("name", true, "Name"), f("financial", true, "Financial Status"), f("qty", true, "Lineitem quantity"), f("item", true, "Lineitem name"),
		f("email", false, "Email"), f("paid", false, "Paid at"), f("fulfillment", false, "Fulfillment Status"), f("fulfilled", false, "Fulfilled at"),
		f("shipping", false, "Shipping"), f("total", false, "Total"), f("created", false, "Created at"), f("price", false, "Lineitem price"),
		f("sku", false, "Lineitem sku"), f("ship_name", false, "Shipping Name"), f("ship_addr1", false, "Shipping Address1", "Shipping Street"),
		f("ship_addr2", false, "Shipping Address2"), f("ship_city", false, "Shipping City"), f("ship_zip", false, "Shipping Zip"),
		f("ship_province", false, "Shipping Province"), f("ship_country", false, "Shipping Country"), f("ship_phone", false, "Shipping Phone"),
		f("phone", false, "Phone"), f("notes", false, "Notes"), f("cancelled", false, "Cancelled at"), f("billing_name", false, "Billing Name"),
		f("payment", false, "Payment Method"),
	}},
	{Name: "shopify-products", Label: "Shopify products", Kind: KindProduct, Source: "shopify", parse: shopifyProduct, fields: []field{
		f("handle", true, "Handle", "URL handle"), f("sku", true, "Variant SKU", "SKU"), f("title", false, "Title"),
		f("barcode", false, "Variant Barcode", "Barcode"), f("price", false, "Variant Price", "Price"),
		f("qty", false, "Variant Inventory Qty", "Inventory quantity"), f("type", false, "Type", "Product Category"),
		f("opt1_name", false, "Option1 Name", "Option1 name"), f("opt1", false, "Option1 Value", "Option1 value"),
		f("opt2_name", false, "Option2 Name", "Option2 name"), f("opt2", false, "Option2 Value", "Option2 value"),
	}},
	{Name: "shopify-customers", Label: "Shopify customers", Kind: KindCustomer, Source: "shopify", parse: shopifyCustomer, fields: []field{
		f("email", true, "Email"), f("first", true, "First Name"), f("last", false, "Last Name"), f("phone", false, "Phone"),
		f("city", false, "City"), f("tags", false, "Tags"), f("note", false, "Note"), f("accepts", false, "Accepts Email Marketing", "Accepts Marketing"),
	}},
	{Name: "woocommerce-products", Label: "WooCommerce products", Kind: KindProduct, Source: "woocommerce", parse: wooProduct, fields: []field{
		f("type", true, "Type"), f("sku", true, "SKU"), f("name", true, "Name"), f("id", false, "ID"), f("parent", false, "Parent"),
		f("regular", false, "Regular price"), f("sale", false, "Sale price"), f("stock", false, "Stock"), f("categories", false, "Categories"),
		f("attr1_name", false, "Attribute 1 name"), f("attr1", false, "Attribute 1 value(s)"),
		f("attr2_name", false, "Attribute 2 name"), f("attr2", false, "Attribute 2 value(s)"),
	}},
	{Name: "stock", Label: "库存表 (warehouse stock: ERP sheet or Kefu's template)", Kind: KindStock, Source: "erp", parse: erpStock, fields: []field{
		f("sku", true, "商品编码", "SKU编码", "商家编码", "sku_id", "SKU code", "sku"),
		f("warehouse", true, "仓库数量", "主仓实际库存", "实际库存", "仓库库存", "qty", "warehouse quantity", "warehouse"),
		f("reserved", false, "订单占有数", "占用数", "预占数", "order_lock", "reserved"),
		f("virtual", false, "虚拟库存", "virtual_qty"), f("barcode", false, "条码", "条形码", "barcode"), f("name", false, "商品名", "name"),
	}},
	{Name: "customers", Label: "客户表 (customers: Kefu's template)", Kind: KindCustomer, Source: "kefu", parse: kefuCustomer, fields: []field{
		f("nick", true, "会员名", "昵称", "nick"), f("name", false, "姓名", "name"), f("phone", false, "手机", "phone"),
		f("city", false, "城市", "city"), f("birthday", false, "生日", "birthday"), f("vip", false, "VIP等级", "vip"),
		f("tags", false, "标签", "tags"), f("sizes", false, "尺码", "sizes"), f("styles", false, "风格", "styles"), f("memo", false, "备注", "memo"),
	}},
	{Name: "reviews", Label: "评价表 (reviews: Kefu's template)", Kind: KindReview, Source: "kefu", parse: kefuReview, fields: []field{
		f("order", true, "订单编号", "order"), f("nick", true, "会员名", "nick"), f("stars", true, "评分", "stars"),
		f("text", true, "评价内容", "text"), f("at", false, "评价时间", "time"), f("sku", false, "商家编码", "sku"),
	}},
}

// taobaoStatus maps Taobao's 订单状态 to Kefu's statuses (commas full-width or not).
var taobaoStatus = map[string]shop.OrderStatus{
	"等待买家付款":            shop.StatusUnpaid,
	"买家已付款,等待卖家发货":      shop.StatusPaid,
	"卖家部分发货":            shop.StatusShipped,
	"卖家已发货,等待买家确认":      shop.StatusShipped,
	"买家已签收":             shop.StatusShipped,
	"交易成功":              shop.StatusCompleted,
	"交易关闭":              shop.StatusClosed,
	"交易被淘宝关闭":           shop.StatusClosed,
	"付款以后用户退款成功,交易自动关闭": shop.StatusClosed,
}

func statusOf(r *row, key string, required bool) shop.OrderStatus {
	v := r.get(key)
	if v == "" && !required {
		return ""
	}
	st, ok := taobaoStatus[strings.ReplaceAll(strings.ReplaceAll(v, "，", ","), " ", "")]
	if !ok {
		r.refuse(key, "%q is not a Taobao order status (等待买家付款, 买家已付款，等待卖家发货, 卖家已发货，等待买家确认, 交易成功, 交易关闭 …)", v)
	}
	return st
}

func taobaoOrder(p *parser, r *row) {
	o := &Order{Source: "taobao", Payment: shop.PayOnline}
	o.ID = read(r, "order", idValue)
	if o.ID == "" {
		r.refuse("order", "is empty; it is needed")
	}
	o.Nick = r.need("nick")
	o.Status = statusOf(r, "status", true)
	addr := r.get("address")
	if na := r.get("new_address"); na != "" {
		addr = na
	}
	o.Address = taobaoAddress(addr)
	o.Address.Receiver = r.get("receiver")
	o.Address.Phone = read(r, "mobile", phone)
	if o.Address.Phone == "" {
		o.Address.Phone = read(r, "tel", phone)
	}
	o.Shipping = read(r, "shipping", money)
	o.Total = read(r, "paid_amount", money)
	if !r.has("paid_amount") {
		o.Total = read(r, "gross", money)
	}
	o.BuyerMessage, o.Memo = r.get("message"), r.get("memo")
	o.CreatedAt = read(r, "created", when)
	o.PaidAt = read(r, "paid", when)
	o.ShippedAt = read(r, "shipped", when)
	o.Tracking = read(r, "tracking", tracking)
	o.Courier = r.get("courier")
	if o.Status == shop.StatusClosed {
		o.CloseReason = r.get("close")
	}
	p.out(Record{Line: r.line, Kind: KindOrder, Order: o}, r.bad)
}

func taobaoItem(p *parser, r *row) {
	l := &OrderLine{Source: "taobao"}
	l.OrderID = read(r, "order", idValue)
	if l.OrderID == "" {
		r.refuse("order", "is empty; it is needed")
	}
	l.Item.Name = r.need("title")
	l.Item.Price = read(r, "price", money)
	l.Item.Qty = read(r, "qty", quantity)
	l.Item.SKU = read(r, "sku", idValue)
	if l.Item.SKU == "" {
		l.Item.SKU = read(r, "outer", idValue)
	}
	l.Item.Variant = propsLabel(r.get("props"))
	l.Status = statusOf(r, "status", false)
	p.out(Record{Line: r.line, Kind: KindOrderLine, Item: l}, r.bad)
}

// propsLabel turns Taobao's 商品属性 (颜色分类：蓝色;参考身高：120cm) into 蓝色 120cm.
func propsLabel(s string) string {
	var vals []string
	for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' }) {
		kv = strings.TrimSpace(kv)
		if i := strings.IndexAny(kv, ":："); i >= 0 {
			kv = strings.TrimLeft(kv[i:], ":：")
		}
		if kv = strings.TrimSpace(kv); kv != "" {
			vals = append(vals, kv)
		}
	}
	return strings.Join(vals, " ")
}

func assistantProduct(p *parser, r *row) {
	pr := &Product{Source: "taobao", Name: r.need("title")}
	outer := read(r, "outer_id", idValue)
	pr.Key = read(r, "num_id", idValue)
	if pr.Key == "" {
		pr.Key = outer
	}
	price := read(r, "price", money)
	num := read(r, "num", quantity)
	if props := r.get("sku_props"); props != "" {
		barcodes := strings.Split(r.get("sku_barcode"), ";")
		for i, s := range assistantSKUs(props) {
			v := shop.Variant{Price: price, Size: s.props}
			if s.price != "" {
				v.Price = read(r, "sku_props", func(string) (shop.Cents, error) { return money(s.price) })
			}
			v.Listed = read(r, "sku_props", func(string) (int, error) { return quantity(s.qty) })
			v.SKU = s.outer
			if i < len(barcodes) {
				v.Barcode = clean(barcodes[i])
			}
			if v.SKU == "" {
				v.SKU = v.Barcode
			}
			if v.SKU == "" && outer != "" {
				v.SKU = outer + "-" + propsMarks.Replace(s.props)
			}
			if _, err := idValue(v.SKU); v.SKU == "" || err != nil {
				r.refuse("sku_props", "SKU %d has no 商家编码 (outer id) or barcode to know it by", i+1)
			}
			pr.Variants = append(pr.Variants, v)
		}
	} else {
		v := shop.Variant{SKU: outer, Barcode: read(r, "barcode", idValue), Price: price, Listed: num}
		if v.SKU == "" {
			v.SKU = v.Barcode
		}
		if v.SKU == "" {
			r.refuse("outer_id", "is empty, and so is barcode: the product has no SKU code to know it by")
		}
		pr.Variants = []shop.Variant{v}
	}
	if pr.Key == "" && len(pr.Variants) > 0 {
		pr.Key = pr.Variants[0].SKU
	}
	p.out(Record{Line: r.line, Kind: KindProduct, Product: pr}, r.bad)
}

type assistantSKU struct{ price, qty, outer, props string }

// assistantSKUs splits 淘宝助理's skuProps: price:quantity:outer id:pid:vid;pid:vid;… per SKU.
func assistantSKUs(s string) []assistantSKU {
	var out []assistantSKU
	for _, part := range strings.Split(s, ";") {
		fs := strings.Split(part, ":")
		switch {
		case len(fs) >= 5:
			out = append(out, assistantSKU{price: fs[0], qty: fs[1], outer: fs[2], props: strings.Join(fs[3:], ":")})
		case len(fs) == 2 && len(out) > 0:
			out[len(out)-1].props += ";" + part
		}
	}
	return out
}

// shopifyStatus maps Shopify's financial and fulfilment statuses.
func shopifyStatus(r *row) shop.OrderStatus {
	if r.get("cancelled") != "" {
		return shop.StatusClosed
	}
	switch strings.ToLower(r.get("financial")) {
	case "pending", "authorized":
		return shop.StatusUnpaid
	case "voided", "refunded":
		return shop.StatusClosed
	case "paid", "partially_paid", "partially_refunded":
		if strings.EqualFold(r.get("fulfillment"), "fulfilled") {
			return shop.StatusShipped
		}
		return shop.StatusPaid
	}
	r.refuse("financial", "%q is not a Shopify financial status (paid, pending, authorized, partially_paid, refunded, partially_refunded, voided)", r.get("financial"))
	return ""
}

func shopifyOrder(p *parser, r *row) {
	name := read(r, "name", idValue)
	if name == "" {
		r.refuse("name", "is empty; it is needed")
	}
	item := shop.OrderItem{Name: r.need("item"), Qty: read(r, "qty", quantity), Price: read(r, "price", money), SKU: read(r, "sku", idValue)}
	p.group(name, r, func() Record {
		o := &Order{ID: name, Source: "shopify", Payment: shop.PayOnline}
		o.Nick = strings.ToLower(r.get("email"))
		if o.Nick == "" {
			r.refuse("email", "is empty; the order's customer is known by it")
		}
		o.CustomerName = r.get("billing_name")
		o.Status = shopifyStatus(r)
		o.Total, o.Shipping = read(r, "total", money), read(r, "shipping", money)
		o.CreatedAt, o.PaidAt, o.ShippedAt = read(r, "created", when), read(r, "paid", when), read(r, "fulfilled", when)
		o.BuyerMessage = r.get("notes")
		if strings.Contains(strings.ToLower(r.get("payment")), "cash on delivery") {
			o.Payment = shop.PayCOD
		}
		o.Address = shop.Address{Receiver: r.get("ship_name"), Phone: read(r, "ship_phone", phone), Province: r.get("ship_province"),
			City: r.get("ship_city"), Detail: strings.TrimSpace(r.get("ship_addr1") + " " + r.get("ship_addr2")), Zip: r.get("ship_zip")}
		if o.Address.Phone == "" {
			o.Address.Phone = read(r, "phone", phone)
		}
		return Record{Line: r.line, Kind: KindOrder, Order: o}
	}, func(rec *Record) { rec.Order.Items = append(rec.Order.Items, item) })
}

// options maps Shopify's or WooCommerce's option values to a variant's colour and size.
func options(v *shop.Variant, names, values []string) {
	for i, val := range values {
		if val == "" {
			continue
		}
		n := strings.ToLower(names[i])
		switch {
		case strings.Contains(n, "size") || strings.Contains(n, "尺码") || strings.Contains(n, "身高"):
			v.Size = val
		case v.Color == "":
			v.Color = val
		default:
			v.Size = strings.TrimSpace(v.Size + " " + val)
		}
	}
}

func shopifyProduct(p *parser, r *row) {
	handle := read(r, "handle", idValue)
	if handle == "" {
		r.refuse("handle", "is empty; it is needed")
	}
	sku, barcode := read(r, "sku", idValue), read(r, "barcode", idValue)
	v := shop.Variant{SKU: sku, Barcode: barcode, Price: read(r, "price", money), Listed: read(r, "qty", quantity)}
	if v.SKU == "" {
		v.SKU = barcode
	}
	options(&v, []string{r.get("opt1_name"), r.get("opt2_name")}, []string{r.get("opt1"), r.get("opt2")})
	hasVariant := v.SKU != "" || r.get("price") != "" || r.get("qty") != ""
	if hasVariant && v.SKU == "" {
		r.refuse("sku", "is empty, and so is the barcode: the variant has no SKU code to know it by")
	}
	p.group(handle, r, func() Record {
		return Record{Line: r.line, Kind: KindProduct, Product: &Product{Key: handle, Source: "shopify", Name: r.get("title"), Category: r.get("type")}}
	}, func(rec *Record) {
		if rec.Product.Name == "" {
			rec.Product.Name = r.get("title")
		}
		if hasVariant {
			rec.Product.Variants = append(rec.Product.Variants, v)
		}
	})
}

func shopifyCustomer(p *parser, r *row) {
	c := &Customer{Source: "shopify", Nick: strings.ToLower(r.need("email"))}
	c.Name = strings.TrimSpace(r.get("first") + " " + r.get("last"))
	c.Phone, c.City, c.Tags, c.Memo = read(r, "phone", phone), r.get("city"), list(r.get("tags")), r.get("note")
	p.out(Record{Line: r.line, Kind: KindCustomer, Customer: c}, r.bad)
}

func wooProduct(p *parser, r *row) {
	typ := strings.ToLower(r.need("type"))
	sku, id := read(r, "sku", idValue), read(r, "id", idValue)
	price := read(r, "regular", money)
	if r.get("sale") != "" {
		price = read(r, "sale", money)
	}
	v := shop.Variant{SKU: sku, Price: price, Listed: read(r, "stock", quantity)}
	options(&v, []string{r.get("attr1_name"), r.get("attr2_name")}, []string{r.get("attr1"), r.get("attr2")})
	pr := &Product{Source: "woocommerce", Name: r.get("name"), Category: firstCategory(r.get("categories"))}
	switch {
	case strings.Contains(typ, "variation"):
		parent := r.get("parent")
		key, ok := p.parents[parent]
		if !ok {
			r.refuse("parent", "%q is not a variable product earlier in this file", parent)
		}
		pr.Key, pr.VariantsOnly = key, true
		if sku == "" {
			r.refuse("sku", "is empty; a variation needs its SKU")
		}
		pr.Variants = []shop.Variant{v}
	case strings.Contains(typ, "variable"):
		pr.Key = sku
		if pr.Key == "" {
			pr.Key = "id-" + id
		}
		if id != "" {
			p.parents["id:"+id] = pr.Key
		}
		if sku != "" {
			p.parents[sku] = pr.Key
		}
	case strings.Contains(typ, "simple"):
		if sku == "" {
			r.refuse("sku", "is empty; a simple product needs its SKU")
		}
		pr.Key, pr.Variants = sku, []shop.Variant{v}
	default:
		r.refuse("type", "%q is not a product type Kefu imports (simple, variable, variation)", typ)
	}
	if pr.Name == "" && !pr.VariantsOnly {
		r.refuse("name", "is empty; it is needed")
	}
	p.out(Record{Line: r.line, Kind: KindProduct, Product: pr}, r.bad)
}

func firstCategory(s string) string {
	c, _, _ := strings.Cut(s, ",")
	if i := strings.LastIndex(c, ">"); i >= 0 {
		c = c[i+1:]
	}
	return strings.TrimSpace(c)
}

func erpStock(p *parser, r *row) {
	s := &Stock{SKU: read(r, "sku", idValue), Barcode: read(r, "barcode", idValue)}
	if s.SKU == "" && s.Barcode == "" {
		r.refuse("sku", "is empty; it is needed")
	}
	if r.get("warehouse") == "" {
		r.refuse("warehouse", "is empty; it is needed")
	}
	s.Warehouse = read(r, "warehouse", quantity) + read(r, "virtual", quantity)
	if r.get("reserved") != "" {
		s.Reserved, s.HasReserved = read(r, "reserved", quantity), true
	}
	p.out(Record{Line: r.line, Kind: KindStock, Stock: s}, r.bad)
}

func kefuCustomer(p *parser, r *row) {
	c := &Customer{Source: "kefu", Nick: r.need("nick"), Name: r.get("name"), Phone: read(r, "phone", phone), City: r.get("city"),
		Birthday: r.get("birthday"), Tags: list(r.get("tags")), Sizes: r.get("sizes"), Styles: r.get("styles"), Memo: r.get("memo")}
	if v := r.get("vip"); v != "" {
		n, err := quantity(v)
		if err != nil || n > 5 {
			r.refuse("vip", "%q is not a VIP level from 0 to 5", v)
		}
		c.VIP, c.HasVIP = n, true
	}
	if b := c.Birthday; b != "" && !validBirthday(b) {
		r.refuse("birthday", "%q is not a birthday as MM-DD or YYYY-MM-DD", b)
	}
	p.out(Record{Line: r.line, Kind: KindCustomer, Customer: c}, r.bad)
}

func validBirthday(s string) bool {
	var y, m, d int
	if n, _ := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &d); n == 3 && len(s) == 10 {
		return m >= 1 && m <= 12 && d >= 1 && d <= 31
	}
	if n, _ := fmt.Sscanf(s, "%2d-%2d", &m, &d); n == 2 && len(s) == 5 {
		return m >= 1 && m <= 12 && d >= 1 && d <= 31
	}
	return false
}

func kefuReview(p *parser, r *row) {
	rv := &Review{Source: "kefu", OrderID: read(r, "order", idValue), Nick: r.need("nick"), Text: r.need("text"), SKU: read(r, "sku", idValue)}
	if rv.OrderID == "" {
		r.refuse("order", "is empty; it is needed")
	}
	rv.Stars = read(r, "stars", stars)
	rv.At = read(r, "at", when)
	p.out(Record{Line: r.line, Kind: KindReview, Review: rv}, r.bad)
}
