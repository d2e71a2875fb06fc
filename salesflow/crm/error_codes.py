CUSTOMER_DUPLICATE = "customer_duplicate"
CUSTOMER_CREDIT_CODE_TAKEN = "customer_credit_code_taken"
CUSTOMER_OWNER_OUT_OF_SCOPE = "customer_owner_out_of_scope"
CUSTOMER_ALREADY_CLAIMED = "customer_already_claimed"
