package demo

import (
	"bytes"
	"strconv"
)

const dealCount = 20_000

var dealFields = []field{
	standard("id", "integer", "ID"),
	standard("title", "string", "Deal name"),
	standard("amount", "double", "Amount"),
	standard("currency", "crm_currency", "Currency"),
	standard("stageId", "crm_status", "Stage"),
	standard("stageSemanticId", "string", "Stage group"),
	standard("categoryId", "crm_category", "Pipeline"),
	standard("assignedById", "user", "Responsible person"),
	standard("sourceId", "crm_status", "Source"),
	standard("companyId", "integer", "Company"),
	standard("contactId", "integer", "Contact"),
	standard("closed", "boolean", "Closed"),
	standard("createdAt", "datetime", "Created on"),
	standard("updatedAt", "datetime", "Modified on"),
	standard("closedAt", "datetime", "Closed on"),
	userField("UF_CRM_MARGIN", "money", "Gross margin"),
	withItems(userField("UF_CRM_REGION", "enumeration", "Sales region"), regionItems...),
	userField("UF_CRM_PROBABILITY", "double", "Win probability, %"),
	userField("UF_CRM_SEATS", "integer", "Licensed seats"),
	multiple(userField("UF_CRM_PRODUCTS", "string", "Product lines")),
}

// pipeline is one deal category (a sales pipeline) with its amount range
// in kopecks. The stages of category N > 0 are written with the prefix
// "CN:", as Bitrix24 does, and category 0 has no prefix.
type pipeline struct {
	id          int
	weight      int
	minAmount   int64
	maxAmount   int64
	stagePrefix string
}

var pipelines = []pipeline{
	{id: 0, weight: 600, minAmount: 500_000, maxAmount: 60_000_000, stagePrefix: ""},
	{id: 1, weight: 250, minAmount: 5_000_000, maxAmount: 300_000_000, stagePrefix: "C1:"},
	{id: 2, weight: 150, minAmount: 100_000, maxAmount: 8_000_000, stagePrefix: "C2:"},
}

// dealStage is a stage of the sales funnel with the usual win probability,
// in percent, that managers enter for deals in it.
type dealStage struct {
	code        string
	semantic    string
	probability int
}

var openStages = []dealStage{
	{"NEW", "P", 10}, {"PREPARATION", "P", 25}, {"PREPAYMENT_INVOICE", "P", 50},
	{"EXECUTING", "P", 65}, {"FINAL_INVOICE", "P", 85},
}

var openStageWeights = []int{300, 250, 150, 200, 100}

var (
	wonStage  = dealStage{"WON", "S", 100}
	lostStage = dealStage{"LOSE", "F", 0}
)

var regionWeights = []int{350, 180, 120, 120, 90, 80, 60}

// dealProductCounts are the shares of deals with 0 to 4 product lines, in
// thousandths.
var dealProductCounts = []int{100, 450, 250, 130, 70}

// highestContactID is a little above the largest contact id, so that a few
// deals point at contacts that were deleted.
const highestContactID = contactCount + contactCount/20

func writeDeals(g *generator, out *bytes.Buffer) {
	id := 0
	for _, created := range g.creationTimes(dealCount) {
		id = g.nextID(id)
		d := g.drawDeal(created)
		w := beginRecord(out)
		writeDealStandard(g, w, id, d)
		writeDealUserFields(g, w, d)
		w.end()
	}
}

// deal holds the facts of one deal that several fields depend on.
type deal struct {
	pipeline pipeline
	stage    dealStage
	closed   bool
	created  int64
	closedAt int64 // zero while the deal is open
	amount   int64 // in hundredths of currency
	currency string
	company  int // zero when the deal has no company
}

func (g *generator) drawDeal(created int64) deal {
	d := deal{
		pipeline: pipelines[g.weightedIndex(pipelineWeights())],
		created:  created,
	}

	// The older a deal, the likelier it is closed, up to 90% after seven
	// months. About 38% of closed deals are won.
	ageDays := int((snapshot - created) / day)
	d.closed = g.chance(min(900, 50+ageDays*4))
	d.stage = openStages[g.weightedIndex(openStageWeights)]
	if d.closed {
		d.stage = lostStage
		if g.chance(380) {
			d.stage = wonStage
		}
		d.closedAt = g.later(created, 150*day)
	}

	amount := g.between64(d.pipeline.minAmount, d.pipeline.maxAmount)
	if g.chance(800) {
		// Most amounts are whole hundreds of roubles.
		amount = amount / 10_000 * 10_000
	}
	d.currency = g.choose(currencies)
	d.amount = convertRoubles(amount, d.currency)

	if g.chance(720) {
		d.company = g.between(1, companyCount)
	}
	return d
}

func writeDealStandard(g *generator, w *recordWriter, id int, d deal) {
	w.set("id", g.id(id))
	w.set("title", g.dealTitle(id, d.company))
	w.set("amount", g.dealAmount(d.amount))
	if g.chance(10) {
		w.set("currency", g.blank())
	} else {
		w.set("currency", quote(d.currency))
	}
	if g.chance(3) {
		w.set("stageId", g.blank())
	} else {
		w.set("stageId", quote(d.pipeline.stagePrefix+d.stage.code))
	}
	if g.chance(10) {
		w.set("stageSemanticId", g.blank())
	} else {
		w.set("stageSemanticId", quote(d.stage.semantic))
	}
	w.set("categoryId", g.id(d.pipeline.id))
	w.set("assignedById", g.user(salesUsers, 8))
	w.set("sourceId", g.category(sources, 40))

	switch {
	case d.company > 0:
		w.set("companyId", g.id(d.company))
	case g.chance(640):
		w.set("companyId", g.integer(0))
	default:
		w.set("companyId", g.blank())
	}
	switch r := g.intn(1000); {
	case r < 850:
		w.set("contactId", g.id(g.between(1, highestContactID)))
	case r < 950:
		w.set("contactId", g.integer(0))
	default:
		w.set("contactId", g.blank())
	}

	if g.chance(5) {
		w.set("closed", g.blank())
	} else {
		w.set("closed", g.boolean(d.closed))
	}

	w.set("createdAt", g.datetime(d.created))
	if d.closed {
		w.set("updatedAt", g.datetime(g.later(d.closedAt, 30*day)))
		if g.chance(10) {
			w.set("closedAt", g.blank())
		} else {
			w.set("closedAt", g.datetime(d.closedAt))
		}
	} else {
		w.set("updatedAt", g.datetime(g.later(d.created, 200*day)))
		w.set("closedAt", g.blank())
	}
}

func writeDealUserFields(g *generator, w *recordWriter, d deal) {
	if d.amount == 0 || g.chance(60) {
		w.set("UF_CRM_MARGIN", g.blank())
	} else {
		w.set("UF_CRM_MARGIN", g.money(d.amount*g.between64(8, 45)/100, d.currency))
	}

	if g.chance(50) {
		w.set("UF_CRM_REGION", g.blank())
	} else {
		w.set("UF_CRM_REGION", g.numberText(regionItems[g.weightedIndex(regionWeights)].ID, 700))
	}

	if g.chance(80) {
		w.set("UF_CRM_PROBABILITY", g.blank())
	} else {
		tenths := 10*d.stage.probability + 10*g.between(-10, 10)
		if g.chance(150) {
			tenths += 5
		}
		w.set("UF_CRM_PROBABILITY", g.numberText(tenthsText(min(max(tenths, 0), 1000)), 100))
	}

	switch r := g.intn(1000); {
	case r < 200:
		w.set("UF_CRM_SEATS", g.blank())
	case r < 300:
		w.set("UF_CRM_SEATS", g.integer(g.between(200, 2000)))
	default:
		w.set("UF_CRM_SEATS", g.integer(1+g.skewed(200, false)))
	}

	if g.chance(20) {
		w.set("UF_CRM_PRODUCTS", g.blank())
	} else {
		w.set("UF_CRM_PRODUCTS", g.stringArray(products, g.weightedIndex(dealProductCounts)))
	}
}

func pipelineWeights() []int {
	weights := make([]int, len(pipelines))
	for i, p := range pipelines {
		weights[i] = p.weight
	}
	return weights
}

// dealTitle writes "Deal #123", the title Bitrix24 gives a deal created
// without one, or a product line and the name of the deal's company, or of
// some company when the deal has none.
func (g *generator) dealTitle(id, companyID int) string {
	if companyID == 0 {
		companyID = g.between(1, companyCount)
	}
	switch r := g.intn(1000); {
	case r < 3:
		return g.blank()
	case r < 350:
		return quote("Deal #" + strconv.Itoa(id))
	default:
		return quote(g.pick(products) + " for " + companyName(companyID))
	}
}

// dealAmount writes the deal amount, given in hundredths: a JSON number such
// as 2300.5, or in about 12% of deals a string with two decimals, "2300.50".
// About 2% of deals have a zero amount and 1% an empty one.
func (g *generator) dealAmount(amount int64) string {
	switch r := g.intn(1000); {
	case r < 10:
		return g.blank()
	case r < 30:
		return g.integer(0)
	case r < 150:
		return quote(strconv.FormatInt(amount/100, 10) + "." + twoDigits(amount%100))
	default:
		return shortAmountText(amount)
	}
}
