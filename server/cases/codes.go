package cases

// EventCode is the city platform's classification of a violation type: the
// 大类 (category) and 小类 (sub-category) of its event code table.
type EventCode struct {
	Category        string `yaml:"category" json:"category"`
	CategoryName    string `yaml:"category_name" json:"category_name"`
	Subcategory     string `yaml:"subcategory" json:"subcategory"`
	SubcategoryName string `yaml:"subcategory_name" json:"subcategory_name"`
}

// DefaultEventCodes follow the common GB/T 30428.2-style event table: 私搭乱建
// under 市容环境, and 无照经营游商, 店外经营, 沿街晾挂 under 街面秩序. Every city's
// 数字城管 platform numbers its own table, so these numbers are a starting
// point that must be checked against the local platform and overridden in
// the server configuration (cases.event_codes).
func DefaultEventCodes() map[string]EventCode {
	return map[string]EventCode{
		"illegal_structure": {Category: "01", CategoryName: "市容环境", Subcategory: "0101", SubcategoryName: "私搭乱建"},
		"street_vending":    {Category: "05", CategoryName: "街面秩序", Subcategory: "0501", SubcategoryName: "无照经营游商"},
		"outside_store":     {Category: "05", CategoryName: "街面秩序", Subcategory: "0504", SubcategoryName: "店外经营"},
		"street_laundry":    {Category: "05", CategoryName: "街面秩序", Subcategory: "0512", SubcategoryName: "沿街晾挂"},
		// The demo rule is not an enforced type; its code says so.
		"demo_linger": {Category: "99", CategoryName: "其他", Subcategory: "9901", SubcategoryName: "演示：人员逗留"},
	}
}
