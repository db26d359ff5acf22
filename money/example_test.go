package money_test

import (
	"errors"
	"fmt"

	"github.com/crmagg/crmagg/money"
)

func ExampleParse() {
	m, err := money.Parse("2300.50|USD")
	fmt.Println(m.Amount, m.Currency, err)

	_, err = money.Parse("1500,50|RUB")
	fmt.Println(err, errors.Is(err, money.ErrSyntax))
	// Output:
	// 2300.5 USD <nil>
	// money: parsing "1500,50|RUB": invalid syntax true
}
