package screens

import (
	"fmt"

	"fyne.io/fyne/v2/lang"

	"kefu/shop"
)

// platformName is the platform an imported order or note came from, as a person reads it.
func platformName(source string) string {
	switch source {
	case "taobao":
		return lang.X("import.platform_taobao", "Taobao")
	case "shopify":
		return "Shopify"
	case "woocommerce":
		return "WooCommerce"
	case "erp":
		return "ERP"
	}
	return source
}

// noteAuthor is who wrote a note: the platform for an imported seller memo (淘宝 卖家备注),
// else the staff number.
func noteAuthor(n shop.OrderNote) string {
	if n.Source != "" {
		return fmt.Sprintf(lang.X("import.seller_memo", "%s seller memo"), platformName(n.Source))
	}
	return staffLabel(n.Staff)
}

// buyerMessage is the buyer's message on an order (买家留言, Shopify's Notes), or "" for none.
func buyerMessage(o shop.Order) string {
	if o.BuyerMessage == "" {
		return ""
	}
	return fmt.Sprintf(lang.X("import.buyer_message", "Buyer's message: %s"), o.BuyerMessage)
}
