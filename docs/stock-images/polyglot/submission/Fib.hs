import System.Environment (getArgs)

fibs :: [Integer]
fibs = 0 : 1 : zipWith (+) fibs (tail fibs)

main :: IO ()
main = do
  [n] <- getArgs
  print (fibs !! read n)
