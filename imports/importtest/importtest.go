// Package importtest writes export files in the platforms' exact formats, for tests and the
// import benchmark: made-up shops, no real personal data. Taobao's pair is written streamed,
// so a benchmark can make 100k orders without holding them.
package importtest

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// TaobaoOrderHeader is the 2017 order report's header, verbatim: its trailing spaces included.
const TaobaoOrderHeader = `订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,` +
	`买家实际支付积分,订单状态,买家留言,收货人姓名,"收货地址 ",运送方式,"联系电话 ",联系手机,订单创建时间,` +
	`"订单付款时间 ","宝贝标题 ","宝贝种类 ","物流单号 ",物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,` +
	`卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,是否上传合同照片,是否上传小票,` +
	`是否代付,定金排名,修改后的sku,修改后的收货地址,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易,退款金额,预约门店`

// TaobaoItemHeader is the item report's header, verbatim.
const TaobaoItemHeader = `订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码`

// TaobaoOrder is one order of a made-up Taobao shop.
type TaobaoOrder struct {
	ID, Nick, Status, Message, Memo, Receiver, Address, NewAddress, Mobile, Created, Paid, Tracking, Courier, CloseReason string
	Goods, Shipping, PaidAmount                                                                                           string // 买家应付货款, 买家应付邮费, 买家实际支付金额
	Title                                                                                                                 string
	Count                                                                                                                 int
}

// Row is the order's line of the order report, with the quirks: the bare ="…" order number,
// the phone's apostrophe, No: before the tracking number, 元 on a money cell.
func (o TaobaoOrder) Row() string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	cells := []string{
		`="` + o.ID + `"`, q(o.Nick), q("buyer@example.com"), q(o.Goods), q(o.Shipping + "元"), "0", q(o.Goods), "0", q(o.PaidAmount),
		"0", q(o.Status), q(o.Message), q(o.Receiver), q(o.Address), q("快递"), q(""), q("'" + o.Mobile), q(o.Created),
		q(o.Paid), q(o.Title), "1", q(o.Tracking), q(o.Courier), q(o.Memo), fmt.Sprint(o.Count), q("100001"), q("小熊童装"), q(o.CloseReason),
		"0", "0", q(""), q("手机订单"), q(""), q(""), q("否"), q("否"),
		q("否"), q(""), q(""), q(o.NewAddress), q(""), "0", "0", q("否"), "0", q(""),
	}
	return strings.Join(cells, ",")
}

// TaobaoItem is one line of the item report.
type TaobaoItem struct {
	OrderID, Title, Price, Qty, SKU, Props, Status string
}

// Row is the item's line of the item report, with the trailing comma Taobao writes.
func (it TaobaoItem) Row() string {
	return fmt.Sprintf(`="%s","%s","%s","%s","%s","%s","","","%s","%s",`, it.OrderID, it.Title, it.Price, it.Qty, it.SKU, it.Props, it.Status, it.SKU)
}

// GBK wraps w so that what is written to it is encoded as GB18030 (Taobao's GBK).
func GBK(w io.Writer) io.WriteCloser {
	return transform.NewWriter(w, simplifiedchinese.GB18030.NewEncoder())
}

// UTF16 wraps w so that what is written is encoded as UTF-16LE with a BOM (淘宝助理).
func UTF16(w io.Writer) io.WriteCloser {
	return transform.NewWriter(w, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder())
}

// Generated is order i of a generated Taobao shop: every tenth has a seller memo, every
// seventh a buyer's message.
func Generated(i int) TaobaoOrder {
	o := TaobaoOrder{
		ID: fmt.Sprintf("%017d", 35153131473293579+int64(i)), Nick: fmt.Sprintf("买家%06d", i%40000), Status: "交易成功",
		Receiver: "张三", Address: "浙江省 杭州市 西湖区 文三路" + fmt.Sprint(i%500) + "号(310000)", Mobile: fmt.Sprintf("139%08d", i),
		Created: "2026-11-20 10:30:00", Paid: "2026-11-20 10:31:05", Tracking: fmt.Sprintf("No:YT%010d", i), Courier: "圆通速递",
		Goods: "258.00", Shipping: "0.00", PaidAmount: "248.00", Title: "儿童加绒卫衣", Count: 2,
	}
	if i%10 == 0 {
		o.Memo = "备注：送小礼物"
	}
	if i%7 == 0 {
		o.Message = "请尽快发货"
	}
	return o
}

// GeneratedItems are the lines of generated order i: two or three, 2.5 on average.
func GeneratedItems(i int) []TaobaoItem {
	o := Generated(i)
	n := 2 + i%2
	items := make([]TaobaoItem, n)
	for k := range items {
		items[k] = TaobaoItem{OrderID: o.ID, Title: "儿童加绒卫衣", Price: "129.00", Qty: "1", SKU: fmt.Sprintf("WY-%03d-%d", i%200, k),
			Props: fmt.Sprintf("颜色分类：蓝色;参考身高：%dcm", 110+10*k), Status: o.Status}
	}
	return items
}

// WriteTaobaoPair writes a generated shop's order report (orders rows) and item report to
// two writers, in GBK when gbk, streamed. Item rows: 2 or 3 per order, alternating, so that
// 100k orders give 250k item rows.
func WriteTaobaoPair(orders, items io.Writer, n int, gbk bool) error {
	ow, iw := bufio.NewWriterSize(orders, 1<<16), bufio.NewWriterSize(items, 1<<16)
	var oc, ic io.WriteCloser
	var o, it io.Writer = ow, iw
	if gbk {
		oc, ic = GBK(ow), GBK(iw)
		o, it = oc, ic
	}
	fmt.Fprintln(o, TaobaoOrderHeader)
	fmt.Fprintln(it, TaobaoItemHeader)
	for i := 0; i < n; i++ {
		if _, err := fmt.Fprintln(o, Generated(i).Row()); err != nil {
			return err
		}
		for _, item := range GeneratedItems(i) {
			if _, err := fmt.Fprintln(it, item.Row()); err != nil {
				return err
			}
		}
	}
	if gbk {
		if err := oc.Close(); err != nil {
			return err
		}
		if err := ic.Close(); err != nil {
			return err
		}
	}
	if err := ow.Flush(); err != nil {
		return err
	}
	return iw.Flush()
}
