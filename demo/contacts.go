package demo

import (
	"bytes"
	"time"
)

const contactCount = 20_000

var contactFields = []field{
	standard("id", "integer", "ID"),
	standard("name", "string", "First name"),
	standard("lastName", "string", "Last name"),
	standard("secondName", "string", "Middle name"),
	standard("post", "string", "Position"),
	standard("companyId", "integer", "Company"),
	standard("opened", "boolean", "Available to everyone"),
	standard("createdAt", "datetime", "Created on"),
	standard("updatedAt", "datetime", "Modified on"),
	standard("birthdate", "date", "Date of birth"),
	standard("comments", "string", "Comment"),
	standard("typeId", "crm_status", "Contact type"),
	standard("sourceId", "crm_status", "Source"),
	standard("assignedById", "user", "Responsible person"),
	userField("UF_CRM_LTV", "money", "Lifetime value"),
	userField("UF_CRM_SEGMENT", "string", "Segment"),
	userField("UF_CRM_SCORE", "double", "Lead score"),
	userField("UF_CRM_ORDERS", "integer", "Orders placed"),
	withItems(userField("UF_CRM_TIER", "enumeration", "Loyalty tier"), tierItems...),
	userField("UF_CRM_VIP", "boolean", "VIP"),
	userField("UF_CRM_FIRST_ORDER", "date", "First order date"),
	userField("UF_CRM_LAST_VISIT", "datetime", "Last website visit"),
	multiple(userField("UF_CRM_TAGS", "string", "Tags")),
	userField("UF_CRM_1700000000", "money", "Bonus balance"),
}

// tierWeights are the shares of Bronze, Silver, Gold and Platinum contacts,
// in the order of tierItems, in thousandths.
var tierWeights = []int{450, 300, 170, 80}

// maxOrdersByTier bounds the number of orders of a contact in each tier, so
// that higher tiers have placed more orders and have a higher lifetime value.
var maxOrdersByTier = []int{8, 25, 60, 200}

var (
	earliestBirth = time.Date(1950, time.January, 1, 12, 0, 0, 0, moscow).Unix()
	latestBirth   = time.Date(2004, time.December, 31, 12, 0, 0, 0, moscow).Unix()
)

func writeContacts(g *generator, out *bytes.Buffer) {
	id := 0
	for _, created := range g.creationTimes(contactCount) {
		id = g.nextID(id)
		w := beginRecord(out)
		writeContactStandard(g, w, id, created)
		writeContactUserFields(g, w, created)
		w.end()
	}
}

func writeContactStandard(g *generator, w *recordWriter, id int, created int64) {
	w.set("id", g.id(id))
	w.set("name", g.text(firstNames, 10))
	w.set("lastName", g.text(lastNames, 30))

	switch r := g.intn(1000); {
	case r < 150:
		w.set("secondName", quote(g.pick(middleNames)))
	case r < 920:
		w.set("secondName", emptyString)
	default:
		w.set("secondName", g.blank())
	}

	w.set("post", g.text(posts, 180))

	switch r := g.intn(1000); {
	case r < 600:
		w.set("companyId", g.id(g.between(1, companyCount)))
	case r < 850:
		w.set("companyId", g.integer(0))
	default:
		w.set("companyId", g.blank())
	}

	if g.chance(5) {
		w.set("opened", g.blank())
	} else {
		w.set("opened", g.boolean(g.chance(820)))
	}

	w.set("createdAt", g.datetime(created))
	updated := created
	if g.chance(700) {
		updated = g.later(created, 400*day)
	}
	w.set("updatedAt", g.datetime(updated))

	if g.chance(280) {
		w.set("birthdate", date(earliestBirth+int64(g.intn(int(latestBirth-earliestBirth)))))
	} else {
		w.set("birthdate", g.blank())
	}

	switch r := g.intn(1000); {
	case r < 120:
		w.set("comments", quote(g.pick(contactComments)))
	case r < 870:
		w.set("comments", emptyString)
	default:
		w.set("comments", g.blank())
	}

	w.set("typeId", g.category(contactTypes, 25))
	w.set("sourceId", g.category(sources, 20))
	w.set("assignedById", g.user(salesUsers, 8))
}

func writeContactUserFields(g *generator, w *recordWriter, created int64) {
	tier := g.weightedIndex(tierWeights)
	orders := 0
	if g.chance(850) {
		orders = 1 + g.skewed(maxOrdersByTier[tier], false)
	}

	currency := g.choose(currencies)
	// The average order is 500 to 20,000 roubles, converted to the
	// contact's currency.
	ltv := int64(orders) * g.between64(50_000, 2_000_000)
	if orders == 0 && g.chance(700) {
		w.set("UF_CRM_LTV", g.blank())
	} else {
		w.set("UF_CRM_LTV", g.money(convertRoubles(ltv, currency), currency))
	}

	w.set("UF_CRM_SEGMENT", g.category(segments, 30))

	switch r := g.intn(1000); {
	case r < 40:
		w.set("UF_CRM_SCORE", g.blank())
	case r < 43:
		w.set("UF_CRM_SCORE", quote("n/a"))
	default:
		w.set("UF_CRM_SCORE", g.numberText(tenthsText(g.between(0, 1000)), 120))
	}

	if g.chance(20) {
		w.set("UF_CRM_ORDERS", g.blank())
	} else {
		w.set("UF_CRM_ORDERS", g.integer(orders))
	}

	switch r := g.intn(1000); {
	case r < 40:
		w.set("UF_CRM_TIER", g.blank())
	case r < 43:
		// Id 40 belonged to a "Trial" tier that was later deleted.
		w.set("UF_CRM_TIER", g.numberText("40", 750))
	default:
		w.set("UF_CRM_TIER", g.numberText(tierItems[tier].ID, 750))
	}

	vip := (tier == 3 && g.chance(800)) || (tier == 2 && g.chance(200)) || g.chance(10)
	if g.chance(30) {
		w.set("UF_CRM_VIP", g.blank())
	} else {
		w.set("UF_CRM_VIP", g.boolean(vip))
	}

	if orders > 0 && g.chance(950) {
		w.set("UF_CRM_FIRST_ORDER", g.userFieldDate(g.later(created, 90*day)))
	} else {
		w.set("UF_CRM_FIRST_ORDER", g.blank())
	}

	if g.chance(220) {
		w.set("UF_CRM_LAST_VISIT", g.blank())
	} else {
		w.set("UF_CRM_LAST_VISIT", g.datetime(g.later(created, int(snapshot-created))))
	}

	switch r := g.intn(1000); {
	case r < 30:
		w.set("UF_CRM_TAGS", omitted)
	case r < 40:
		w.set("UF_CRM_TAGS", jsonNull)
	default:
		w.set("UF_CRM_TAGS", g.stringArray(contactTags, g.weightedIndex(tagCounts)))
	}

	if g.chance(450) {
		w.set("UF_CRM_1700000000", g.blank())
	} else {
		w.set("UF_CRM_1700000000", g.money(100*g.between64(0, 5000), "RUB"))
	}
}

// tagCounts are the shares of contacts with 0 to 4 tags, in thousandths.
var tagCounts = []int{250, 350, 220, 120, 60}
